/**
 * Log redaction (README "Security": "log fields named token/password are redacted as well"), in
 * both log formats: a field named `token` or `password` never shows its value, wherever it is in
 * the logged object, and neither does the X-Consul-Token header.
 */
import fs from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../src/observe/log.js';
import { SECRET_FIELDS } from '../../../src/util/redact.js';

/** Everything the logger writes (it writes synchronously to a file descriptor). */
function capture(): { text: () => string } {
  const chunks: string[] = [];
  vi.spyOn(fs, 'writeSync').mockImplementation((_fd: number, data: unknown): number => {
    const text = typeof data === 'string' ? data : Buffer.isBuffer(data) ? data.toString('utf8') : String(data);
    chunks.push(text);
    return Buffer.byteLength(text);
  });
  return { text: () => chunks.join('') };
}

afterEach(() => {
  vi.restoreAllMocks();
});

const SECRET = 'tok-5d1c0f8e-secret';

describe.each(['json', 'pretty'] as const)('%s logs', (format) => {
  it.each([
    ['a top-level token', { token: SECRET }],
    ['a top-level password', { password: SECRET }],
    ['a token one level down', { consul: { token: SECRET } }],
    ['the X-Consul-Token header', { headers: { 'x-consul-token': SECRET } }],
    ['a token two levels down', { err: { request: { token: SECRET } } }],
    ['a password two levels down', { source: { auth: { password: SECRET } } }],
  ])('redact %s', (_what, fields) => {
    const out = capture();
    const log = createLogger('trace', true, format);
    log.info(fields, 'something happened');
    expect(out.text()).toContain('something happened');
    expect(out.text()).not.toContain(SECRET);
  });
});

describe.each(['json', 'pretty'] as const)('%s logs, every secret field', (format) => {
  it.each(SECRET_FIELDS.map((f) => [f]))('redact a field named %s, wherever it is (src/util/redact.ts names it secret)', (field) => {
    const out = capture();
    const log = createLogger('trace', true, format);
    log.info({ [field]: SECRET, source: { [field]: SECRET }, err: { request: { [field]: SECRET } } }, 'with secrets');
    expect(out.text()).toContain('with secrets');
    expect(out.text()).not.toContain(SECRET);
  });

  it('keep the other fields as they are', () => {
    const out = capture();
    createLogger('info', true, format).info({ destination: '/etc/nginx/up.conf', tokens: 3 }, 'wrote file');
    expect(out.text()).toContain('/etc/nginx/up.conf');
  });

  it('write nothing below the level', () => {
    const out = capture();
    createLogger('warn', true, format).info({}, 'not shown');
    expect(out.text()).toBe('');
  });
});
