import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { firstDifference, verifyConversions, type VerifyItem } from '../../../src/migrate/verify.js';
import { tempDir } from '../../support/tmp.js';

describe('firstDifference', () => {
  it('gives the first differing line of each output, or where one has ended', () => {
    expect(firstDifference('a\nb\n', 'a\nb\n')).toBeUndefined();
    expect(firstDifference('a\nb\nc', 'a\nB\nc')).toEqual({ kind: 'different', line: 2, consulTemplate: 'b', ctmpl: 'B' });
    expect(firstDifference('a\n', 'a')).toEqual({ kind: 'different', line: 2, consulTemplate: '', ctmpl: undefined });
    expect(firstDifference('a\r\n', 'a\n')).toEqual({ kind: 'different', line: 1, consulTemplate: 'a\r', ctmpl: 'a' });
  });
});

/**
 * Scripted stand-ins for both programs (the real ones run in test/integration/migrate-verify.test.ts):
 * each reads the config verify wrote and copies every template to its destination, except one
 * holding SKIP; one holding HANG keeps the program running. Both check they got the Consul address.
 */
const FAKE = `
import { readFileSync, writeFileSync } from 'node:fs';
const [role, ...args] = process.argv.slice(2);
const config = JSON.parse(readFileSync(args[args.indexOf(role === 'ctmpl' ? '--config' : '-config') + 1], 'utf8'));
const address = role === 'ctmpl' ? args[args.indexOf('--consul-addr') + 1] : config.consul.address;
if (address !== '127.0.0.1:8500' || !args.includes(role === 'ctmpl' ? '--once' : '-once')) process.exit(3);
let hang = false;
for (const t of config[role === 'ctmpl' ? 'templates' : 'template']) {
  const text = readFileSync(t.source, 'utf8');
  if (text.includes('HANG')) hang = true;
  if (!text.includes('SKIP')) writeFileSync(t.destination, text);
}
if (hang) { console.error('still waiting for key "x"'); setInterval(() => {}, 1000); }
`;

async function fakes(): Promise<{ consulTemplate: string; ctmpl: { command: string; args: string[] } }> {
  const dir = await tempDir();
  const script = join(dir, 'fake.mjs');
  await writeFile(script, FAKE);
  const consulTemplate = join(dir, 'consul-template');
  await writeFile(consulTemplate, `#!/bin/sh\nexec "${process.execPath}" "${script}" consul-template "$@"\n`);
  await chmod(consulTemplate, 0o755);
  return { consulTemplate, ctmpl: { command: process.execPath, args: [script, 'ctmpl'] } };
}

const item = (name: string, original: string, converted: string): VerifyItem => ({ name, original: { text: original }, converted: { text: converted }, delimiters: {}, strict: false });

describe('verifyConversions', () => {
  it('runs each program once with every template and compares what they wrote', async () => {
    const programs = await fakes();
    const report = await verifyConversions([item('same', 'a\nb\n', 'a\nb\n'), item('other', 'a\nb\n', 'a\nc\n'), item('skipped', 'SKIP', 'x')], { consulAddress: '127.0.0.1:8500', timeoutMs: 20_000, ...programs });
    expect(report.verdicts).toEqual([
      { kind: 'identical' },
      { kind: 'different', line: 2, consulTemplate: 'b', ctmpl: 'c' },
      { kind: 'not rendered', by: ['consul-template'] },
    ]);
    expect(report.runs.map((r) => [r.program, r.exitCode])).toEqual([
      ['consul-template', 0],
      ['ctmpl', 0],
    ]);
  });

  it('stops a program that waits past the timeout and compares what was written by then', async () => {
    const programs = await fakes();
    const report = await verifyConversions([item('done', 'a', 'a'), item('waits', 'HANG SKIP', 'HANG SKIP')], { consulAddress: '127.0.0.1:8500', timeoutMs: 1_000, ...programs });
    expect(report.verdicts).toEqual([{ kind: 'identical' }, { kind: 'not rendered', by: ['consul-template', 'ctmpl'] }]);
    expect(report.runs.every((r) => r.timedOut && r.output.includes('still waiting for key "x"'))).toBe(true);
  }, 20_000);
});
