import { mkdtempSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Dependency, DependencyValue } from '../../../../src/catalog/types.js';
import { InputError } from '../../../../src/errors.js';
import { FileSource } from '../../../../src/registries/file/source.js';

const WEB: Dependency = { kind: 'service', source: 'file', name: 'web', status: ['passing'] };
const sources: FileSource[] = [];

afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
});

function catalogFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ctmpl-filesrc-')), 'catalog.yaml');
  writeFileSync(path, text);
  return path;
}

async function started(path: string, watch = true) {
  const values: DependencyValue[] = [];
  const errors: string[] = [];
  const source = new FileSource('file', path, { watch });
  sources.push(source);
  await source.start({
    data: (_dep, value) => values.push(value),
    error: (message, err) => errors.push(`${message}: ${err instanceof InputError ? err.describe() : String(err)}`),
    info: () => undefined,
    warn: () => undefined,
  });
  source.watch(WEB);
  return { source, values, errors };
}

async function until(check: () => boolean, deadlineMs = 5000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const ONE = 'services:\n  web:\n    - { address: 10.0.0.1, port: 80 }\n';
const TWO = 'services:\n  web:\n    - { address: 10.0.0.1, port: 80 }\n    - { address: 10.0.0.2, port: 80 }\n';

describe('FileSource', () => {
  it('delivers a watched dependency after start', async () => {
    const { values } = await started(catalogFile(ONE));
    await until(() => values.length >= 1);
    expect(values[0]).toHaveLength(1);
  });

  it('re-delivers after an edit', async () => {
    const path = catalogFile(ONE);
    const { values } = await started(path);
    await until(() => values.length >= 1);
    writeFileSync(path, TWO);
    await until(() => values.some((v) => Array.isArray(v) && v.length === 2));
  });

  it("follows an editor's save by rename", async () => {
    const path = catalogFile(ONE);
    const { values } = await started(path);
    await until(() => values.length >= 1);
    writeFileSync(`${path}.swp`, TWO);
    renameSync(`${path}.swp`, path);
    await until(() => values.some((v) => Array.isArray(v) && v.length === 2));
  });

  it('keeps the last good catalog after a broken edit and reports where it broke', async () => {
    const path = catalogFile(ONE);
    const { values, errors } = await started(path);
    await until(() => values.length >= 1);
    writeFileSync(path, 'services:\n  web:\n    - { address: 10.0.0.1, port: eighty }\n');
    await until(() => errors.length >= 1);
    expect(errors[0]).toContain(`${path}:3:34: services.web.0.port: port must be a whole number from 0 to 65535`);
    expect(values).toHaveLength(1);
    writeFileSync(path, TWO);
    await until(() => values.some((v) => Array.isArray(v) && v.length === 2));
  });

  it('sees an edit that follows another within a few milliseconds', async () => {
    const path = catalogFile(ONE);
    const { values } = await started(path);
    await until(() => values.length >= 1);
    writeFileSync(path, 'services:\n  web: []\n');
    await until(() => values.some((v) => Array.isArray(v) && v.length === 0));
    writeFileSync(path, TWO);
    await until(() => values.some((v) => Array.isArray(v) && v.length === 2));
  });

  it('refuses an invalid catalog at start with its location', async () => {
    const path = catalogFile('services:\n  web:\n    - { address: 10.0.0.1 }\n');
    const err = await new FileSource('file', path, { watch: false }).start({ data: () => {}, error: () => {}, info: () => {}, warn: () => {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).where).toBe(`${path}:3:7`);
  });

  it('names a missing catalog file', async () => {
    const err = await new FileSource('file', '/nonexistent/c.yaml', { watch: false }).start({ data: () => {}, error: () => {}, info: () => {}, warn: () => {} }).catch((e: unknown) => e);
    expect((err as InputError).describe()).toMatch(/^\/nonexistent\/c\.yaml: cannot read catalog file \(ENOENT\)/);
  });

  it('is not live when not watching (as in --once)', async () => {
    const { source } = await started(catalogFile(ONE), false);
    expect(source.live).toBe(false);
  });

  it('is failing while the catalog is broken or gone, and healthy again once it is good', async () => {
    const path = catalogFile(ONE);
    const { source, values } = await started(path);
    await until(() => values.length >= 1);
    writeFileSync(path, 'services: [');
    await until(() => source.health.failing);
    expect(source.stats.failures).toBe(1);
    writeFileSync(path, TWO);
    await until(() => !source.health.failing);
    unlinkSync(path);
    await until(() => source.health.problems().some((p) => p.problem === 'removed'));
  });

  it('stops delivering a dependency once it is unwatched', async () => {
    const path = catalogFile(ONE);
    const { source, values } = await started(path);
    await until(() => values.length >= 1);
    source.unwatch(WEB);
    source.watch({ ...WEB, name: 'other' });
    writeFileSync(path, TWO);
    await until(() => values.length >= 2);
    expect(values.slice(1).every((v) => Array.isArray(v) && v.length === 0), 'only the other service').toBe(true);
  });
});
