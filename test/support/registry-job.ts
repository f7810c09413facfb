import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LEVEL, readIfExists, startCtmpl, type Daemon, type LogLine } from './ctmpl.js';
import { tempDir } from './tmp.js';

/** Shared pieces of the registry integration tests (etcd, ZooKeeper, DNS, several sources). */

/** Deadline for one registry change to reach the file. */
export const CHANGE_MS = 10_000;

/** One line per instance: `ID address:port source`. */
export const INSTANCES = (query: string): string => `{{#each ${query}}}{{ID}} {{Address}}:{{Port}} {{Source}}\n{{/each}}`;

export interface Job {
  readonly dir: string;
  readonly template: string;
  readonly out: string;
}

export async function newJob(templateText: string): Promise<Job> {
  const dir = await tempDir();
  const job = { dir, template: join(dir, 'job.hbs'), out: join(dir, 'out', 'job.conf') };
  await writeFile(job.template, templateText);
  return job;
}

/** Guards that hold or delay changes on purpose have their own tests; they are off here. */
const GUARDS_OFF = ['--max-removal', 'off', '--flap', 'off'] as const;

/** ctmpl as a daemon over `sources` (`[name=]uri`), no quiescence. */
export function watchSources(sources: readonly string[], job: Job, extra: readonly string[] = []): Daemon {
  return startCtmpl([...sources.flatMap((s) => ['--source', s]), '-t', `${job.template}:${job.out}`, '--wait', '0', ...GUARDS_OFF, ...extra], {
    cwd: job.dir,
    env: { CONSUL_HTTP_ADDR: '', ETCDCTL_USER: '', ETCDCTL_PASSWORD: '' },
  });
}

/** Waits until `path` holds exactly `expected`; the failure names what it held last. */
export async function fileBecomes(daemon: Daemon, path: string, expected: string, timeoutMs = CHANGE_MS): Promise<void> {
  let last: string | undefined;
  try {
    await daemon.waitFor(
      async () => {
        last = await readIfExists(path);
        return last === expected;
      },
      { timeoutMs, intervalMs: 25, what: `${path} to read ${JSON.stringify(expected)}` },
    );
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- last content of ${path} ---\n${last === undefined ? '(no file)' : JSON.stringify(last)}`);
  }
}

/** Checks `invariant` every 100 ms for `ms`: for what must hold throughout a period, never for waiting. */
export async function holdsFor(ms: number, invariant: () => Promise<void>): Promise<void> {
  const end = Date.now() + ms;
  do {
    await invariant();
    await new Promise((resolve) => setTimeout(resolve, 100));
  } while (Date.now() < end);
  await invariant();
}

export const errorsMatching = (daemon: Daemon, pattern: RegExp): LogLine[] => daemon.logs().filter((l) => l.level >= LEVEL.error && pattern.test(l.msg));
export const infosMatching = (daemon: Daemon, pattern: RegExp): LogLine[] => daemon.logs().filter((l) => l.level === LEVEL.info && pattern.test(l.msg));

/** Stops a process for `ms` (SIGSTOP … SIGCONT): a long pause, as a stuck VM or GC would cause. */
export async function freeze(pid: number, during: () => Promise<void>): Promise<void> {
  process.kill(pid, 'SIGSTOP');
  try {
    await during();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}
