/**
 * What the bad-input tests (test/integration/bad-input-*.test.ts) share: a scratch workspace with a
 * template and a static catalog, the contexts a setting applies in, and the checks that a run
 * refused its input (exit 2, nothing written) and named the setting.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type TestContext } from 'vitest';
import type { RunResult } from './ctmpl.js';
import { freePort } from './ports.js';

/** A ctmpl that accepts a bad value and keeps running is killed after this (and the case fails). */
export const RUN_LIMIT_MS = 10_000;
export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `name` as a whole token of `text` (not as part of a longer key or flag; `sources[0]` names `sources`). */
export function mentions(text: string, name: string): boolean {
  return new RegExp(`(?<![A-Za-z0-9_.\\[\\]-])${escapeRegExp(name)}(?![A-Za-z0-9_-])`).test(text);
}

export const TEMPLATE = '{{#each (service "web")}}server {{Address}}:{{Port}};\n{{/each}}';
export const CATALOG = JSON.stringify({ services: { web: [{ id: 'web-1', address: '10.0.0.1', port: 8080 }] } });

/**
 * Where a setting applies: a static catalog and --once (file); Consul at an address where nothing
 * listens, plain or TLS (consul, consul-tls: a bad value accepted would make ctmpl wait forever,
 * so the run limit shows it); Consul with dedup on (dedup); exec mode without --once (exec).
 */
export type Context = 'file' | 'consul' | 'consul-tls' | 'dedup' | 'exec';

export interface Workspace {
  readonly dir: string;
  readonly template: string;
  readonly catalog: string;
  /** The destination that must never be written. */
  readonly destination: string;
  /** A port on 127.0.0.1 where nothing listens. */
  readonly closedPort: number;
}

/**
 * A scratch directory removed when `test` ends. Its cleanup is bound to the test's own context:
 * the table cases run concurrently, and a cleanup registered through the global onTestFinished
 * (test/support/tmp.ts) would go to whichever test happens to be current.
 */
export async function workspace(test: Pick<TestContext, 'onTestFinished'>): Promise<Workspace> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'ctmpl-bad-input-')));
  test.onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const template = join(dir, 't.hbs');
  const catalog = join(dir, 'catalog.json');
  await writeFile(template, TEMPLATE);
  await writeFile(catalog, CATALOG);
  await writeFile(join(dir, 'empty-token'), '\n');
  return { dir, template, catalog, destination: join(dir, 'out', 'dest.txt'), closedPort: await freePort() };
}

export function expectRefused(run: RunResult, ws: Workspace, what: string): void {
  expect(run.timedOut, `${what}: ctmpl accepted the value and kept running\n${run.stdout}${run.stderr}`).toBe(false);
  expect(run.exitCode, `${what}: exit code; stderr:\n${run.stderr}`).toBe(2);
  expect(existsSync(ws.destination), `${what}: ${ws.destination} must not be written`).toBe(false);
}
