/**
 * The Consul source against faults a real agent will not show on demand, served by a scripted
 * fake Consul (test/support/fake-consul.ts): indexes that move backwards, bursts of 500 and 429,
 * slow replies, truncated JSON, replies without X-Consul-Index, stale followers, ACL tokens.
 *
 * Every effect is awaited with a deadline. Where the assertion is "no hot loop", the test counts
 * the requests of a window of fixed length (a rate measurement) against a generous upper bound.
 */
import { randomUUID } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { LEVEL, NO_CONSUL_ENV, readIfExists, readLines, recordRunCommand, startCtmpl, type Daemon, type LogLine } from '../support/ctmpl.js';
import { HEALTH, startFakeConsul, type FakeConsul, type InstanceSpec, type RecordedRequest } from '../support/fake-consul.js';
import { tempDir } from '../support/tmp.js';

/** One line per passing instance; a placeholder line when there is none (an empty list is data). */
const serviceTemplate = (name: string): string => `# ${name}\n{{#each (service "${name}")}}server {{Address}}:{{Port}};\n{{else}}# no instances\n{{/each}}`;

const A: InstanceSpec = { id: 'web-1', address: '10.0.0.1', port: 80 };
const B: InstanceSpec = { id: 'web-2', address: '10.0.0.2', port: 80 };
const API: InstanceSpec = { id: 'api-1', address: '10.0.1.1', port: 9000 };
const API2: InstanceSpec = { id: 'api-2', address: '10.0.1.2', port: 9000 };
const WEB_A = '# web\nserver 10.0.0.1:80;\n';
const WEB_B = '# web\nserver 10.0.0.2:80;\n';
const WEB_EMPTY = '# web\n# no instances\n';
const WEB = HEALTH('web');


interface Setup {
  readonly fake: FakeConsul;
  readonly daemon: Daemon;
  readonly dir: string;
  /** Destination of each template, by service name. */
  readonly out: Readonly<Record<string, string>>;
  /** One line per command run (see recordRunCommand). */
  readonly runs: string;
}

interface SetupOptions {
  /** A config file (YAML) to pass with --config. */
  readonly config?: string;
  /** Services with one template each (default: web). */
  readonly services?: readonly string[];
  readonly extraArgs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  /** Script the fake before ctmpl starts (initial data, faults present from the start). */
  readonly before?: (fake: FakeConsul) => void;
  /** Wait for every destination to exist before returning (default true). */
  readonly waitForFirstRender?: boolean;
}

/** A fake Consul and a ctmpl daemon watching it with `--wait 0 --block-query-wait 1s`. */
async function setup(options: SetupOptions = {}): Promise<Setup> {
  const fake = await startFakeConsul();
  options.before?.(fake);
  const dir = await tempDir('ctmpl-consul-faults-');
  const runs = join(dir, 'runs.log');
  const args: string[] = [];
  const out: Record<string, string> = {};
  for (const name of options.services ?? ['web']) {
    const template = join(dir, `${name}.hbs`);
    out[name] = join(dir, `${name}.conf`);
    await writeFile(template, serviceTemplate(name));
    args.push('-t', `${template}:${out[name]}`);
  }
  if (options.config !== undefined) {
    await writeFile(join(dir, 'ctmpl.yaml'), options.config);
    args.push('--config', join(dir, 'ctmpl.yaml'));
  }
  const daemon = startCtmpl(
    [...args, '-c', recordRunCommand(runs), '--consul-addr', fake.address, '--wait', '0', '--block-query-wait', '1s', ...(options.extraArgs ?? [])],
    { cwd: dir, env: { ...NO_CONSUL_ENV, ...options.env } },
  );
  if (options.waitForFirstRender !== false) {
    for (const path of Object.values(out)) await daemon.waitFor(() => readIfExists(path), { timeoutMs: 10_000, what: `the first render of ${path}` });
  }
  return { fake, daemon, dir, out, runs };
}

function waitForContent(s: Setup, name: string, expected: string, timeoutMs = 10_000): Promise<string> {
  const path = s.out[name] as string;
  return s.daemon.waitFor(async () => ((await readIfExists(path)) === expected ? expected : undefined), {
    timeoutMs,
    what: `${path} to read ${JSON.stringify(expected)}`,
  });
}

/** Log lines of the Consul source reporting a failure. */
const consulErrors = (daemon: Daemon): LogLine[] => daemon.logs().filter((l) => l.level >= LEVEL.error && l.msg.startsWith('Consul at'));

/** Waits until the fake has sent at least `count` replies to `path` that satisfy `match`. */
function waitForReplies(s: Setup, path: string, match: (r: RecordedRequest) => boolean, count: number, what: string, timeoutMs = 10_000): Promise<RecordedRequest[]> {
  return s.daemon.waitFor(
    () => {
      const found = s.fake.requestsFor(path).filter((r) => r.reply !== undefined && match(r));
      return found.length >= count ? found : undefined;
    },
    { timeoutMs, what },
  );
}

/** Waits until a request of `path` that arrived after `after` is being held by the fake. */
function waitForHeld(s: Setup, path: string, after: number): Promise<RecordedRequest> {
  return s.daemon.waitFor(() => s.fake.requestsFor(path, after).find((r) => r.reply === undefined), { what: `a held request of ${path}` });
}

/** The request that followed `request` on the same path (in arrival order). */
function nextRequest(s: Setup, request: RecordedRequest): Promise<RecordedRequest> {
  return s.daemon.waitFor(() => s.fake.requestsFor(request.path).find((r) => r.seq > request.seq), { what: `the request after #${request.seq}` });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Samples `path` every 25 ms for `ms`: its bytes and inode must never change (a rate window,
 * waited for by time on purpose).
 */
async function expectUntouchedFor(path: string, ms: number): Promise<void> {
  const before = await stat(path, { bigint: true });
  const content = await readIfExists(path);
  const end = Date.now() + ms;
  while (Date.now() < end) {
    expect(await readIfExists(path), `${path} during the window`).toBe(content);
    await sleep(25);
  }
  const after = await stat(path, { bigint: true });
  expect([after.ino, after.mtimeNs], `${path} inode and mtime`).toEqual([before.ino, before.mtimeNs]);
}

describe('Consul faults (scripted fake Consul)', () => {
  test('the index going backwards: the next request resets to index 0 and the file follows the new data', async () => {
    const s = await setup({ before: (fake) => fake.setService('web', [A], { index: 1000 }) });
    await waitForContent(s, 'web', WEB_A);
    // ctmpl is blocking at index 1000 …
    await s.daemon.waitFor(() => s.fake.requestsFor(WEB).find((r) => r.reply === undefined && r.query.index === '1000'), { what: 'a query held at index 1000' });

    // … when the state is restored from an older snapshot: index 7, other data.
    s.fake.setService('web', [B], { index: 7 });

    await waitForContent(s, 'web', WEB_B);
    const [backwards] = await waitForReplies(s, WEB, (r) => r.reply?.index === 7, 1, 'the reply at index 7');
    const reset = await nextRequest(s, backwards as RecordedRequest);
    expect(reset.query.index, 'index sent after the index went backwards').toBe('0');
    const following = await nextRequest(s, reset);
    expect(following.query.index, 'then the new index').toBe('7');
    expect(consulErrors(s.daemon)).toEqual([]);
  });

  describe.each([500, 429])('a burst of HTTP %d', (status) => {
    test('requests back off, the last good file stays byte-identical, the failure is logged once, the file converges after', async () => {
      const s = await setup({ before: (fake) => fake.setService('web', [A]) });
      await waitForContent(s, 'web', WEB_A);
      await waitForHeld(s, WEB, 0);

      const burst = s.fake.inject(WEB, { kind: 'status', status });
      // The data changes behind the errors: none of it may reach the file until Consul answers.
      s.fake.setService('web', [B]);
      const [first] = await waitForReplies(s, WEB, (r) => r.reply?.status === status, 1, `a first HTTP ${status}`);
      const windowStart = (first as RecordedRequest).time;

      const windowMs = 2500;
      await expectUntouchedFor(s.out.web as string, windowStart + windowMs - Date.now());
      const sent = s.fake.requestsFor(WEB, windowStart).filter((r) => r.time < windowStart + windowMs).length;
      // Full-jitter backoff from 250 ms sends ~5 here; a retry at the 100 ms floor would send ~20.
      expect(sent, `requests in ${windowMs} ms of HTTP ${status}`).toBeLessThanOrEqual(10);
      expect(sent, 'it does retry').toBeGreaterThanOrEqual(2);
      expect(burst.used, 'every request of the window failed').toBeGreaterThanOrEqual(sent);

      const errors = consulErrors(s.daemon);
      expect(errors, 'the failure is logged once, not per retry').toHaveLength(1);
      expect((errors[0] as LogLine).msg).toContain(`HTTP ${status}`);
      expect(await readLines(s.runs), 'command runs').toHaveLength(1);

      burst.clear();
      // The wait left in the backoff can reach 4-8 s after this many failures.
      await waitForContent(s, 'web', WEB_B, 20_000);
      await s.daemon.waitForLog((l) => l.level === LEVEL.info && l.msg.includes('answers again'), { what: 'the recovery to be logged' });
      await s.daemon.waitFor(async () => (await readLines(s.runs)).length === 2, { what: 'the command to run for the new data' });
      expect(consulErrors(s.daemon), 'still one error line').toHaveLength(1);
    });
  });

  test('a slow reply for one service does not hold back another template', async () => {
    const s = await setup({
      services: ['web', 'api'],
      before: (fake) => {
        fake.setService('web', [A]);
        fake.setService('api', [API]);
      },
    });
    await waitForContent(s, 'web', WEB_A);

    const injected = Date.now();
    s.fake.inject(WEB, { kind: 'delay', ms: 2500 });
    s.fake.touch(WEB); // ends the held web query so that the next one is the slow one
    await waitForHeld(s, WEB, injected);

    const changed = Date.now();
    s.fake.setService('web', [B]);
    s.fake.setService('api', [API2]);
    await waitForContent(s, 'api', '# api\nserver 10.0.1.2:9000;\n');
    const apiMs = Date.now() - changed;
    expect(s.fake.pending(WEB), 'the slow web request is still held').toBeGreaterThanOrEqual(1);
    expect(await readIfExists(s.out.web as string), 'web not updated yet').toBe(WEB_A);
    expect(apiMs, 'api update latency (ms) while web is slow').toBeLessThan(1500);

    await waitForContent(s, 'web', WEB_B);
    expect(consulErrors(s.daemon)).toEqual([]);
  });

  test('truncated JSON is an error: the file stays, it is logged once, ctmpl recovers', async () => {
    const s = await setup({ before: (fake) => fake.setService('web', [A]) });
    await waitForContent(s, 'web', WEB_A);
    await waitForHeld(s, WEB, 0);

    const truncate = s.fake.inject(WEB, { kind: 'truncate' });
    s.fake.setService('web', [B]); // wakes the held query, whose reply is cut in half
    await waitForReplies(s, WEB, (r) => r.reply?.faults.includes('truncate') === true, 3, 'three truncated replies');
    expect(await readIfExists(s.out.web as string), 'the last good file').toBe(WEB_A);
    const errors = consulErrors(s.daemon);
    expect(errors, 'one error line').toHaveLength(1);
    expect((errors[0] as LogLine).msg).toMatch(/JSON|decode/i);

    truncate.clear();
    await waitForContent(s, 'web', WEB_B);
    expect(consulErrors(s.daemon)).toHaveLength(1);
  });

  test('replies without X-Consul-Index: the data is rendered and the request rate stays bounded', async () => {
    const s = await setup({
      before: (fake) => {
        fake.setService('web', [A]);
        fake.inject(WEB, { kind: 'omitIndex' });
      },
    });
    await waitForContent(s, 'web', WEB_A);

    const windowStart = Date.now();
    const windowMs = 3000;
    s.fake.setService('web', [B]);
    await waitForContent(s, 'web', WEB_B);
    await sleep(windowStart + windowMs - Date.now());
    const sent = s.fake.requestsFor(WEB, windowStart).filter((r) => r.time < windowStart + windowMs);
    // ctmpl pauses 1 s after a reply without an index (~3 requests here).
    expect(sent.length, `requests in ${windowMs} ms`).toBeLessThanOrEqual(6);
    expect(sent.map((r) => r.query.index), 'no index to block on: index 0').toEqual(sent.map(() => '0'));
    expect(consulErrors(s.daemon)).toEqual([]);
  });

  test('a query answering at once without blocking is not asked in a hot loop', async () => {
    const s = await setup({ before: (fake) => fake.setService('web', [A]) });
    await waitForContent(s, 'web', WEB_A);

    s.fake.inject(WEB, { kind: 'noBlock' });
    s.fake.touch(WEB); // ends the held query; from now on every reply comes at once
    const windowStart = Date.now();
    const windowMs = 2000;
    await sleep(windowMs);
    const sent = s.fake.requestsFor(WEB, windowStart).filter((r) => r.time < windowStart + windowMs).length;
    expect(sent, `requests in ${windowMs} ms`).toBeLessThanOrEqual(24); // 12 req/s
    expect(sent, 'it keeps asking').toBeGreaterThanOrEqual(2);
    expect(await readLines(s.runs), 'command runs').toHaveLength(1);
  });

  test('an error is never rendered as "no instances"; an empty list after an error is rendered as empty', async () => {
    const s = await setup({
      waitForFirstRender: false,
      // An empty service is a valid answer here (the operator allows it where the empty guard exists).
      // The empty guard would keep the last instances; this test is about the source's answers.
      config: 'services:\n  web:\n    allow_empty: true\n',
      before: (fake) => {
        fake.setService('web', [A]);
        fake.inject(WEB, { kind: 'status', status: 500 });
      },
    });
    // Failing from the start: nothing is rendered, not even an empty upstream.
    await waitForReplies(s, WEB, (r) => r.reply?.status === 500, 2, 'two HTTP 500');
    await s.daemon.waitFor(() => consulErrors(s.daemon).length > 0, { what: 'the failure to be logged' });
    expect(await readIfExists(s.out.web as string), 'no file while Consul fails').toBeUndefined();
    s.fake.clearFaults(WEB);
    await waitForContent(s, 'web', WEB_A);

    // Failing again: the last good file stays.
    s.fake.inject(WEB, { kind: 'status', status: 500 });
    const since = Date.now();
    await waitForReplies(s, WEB, (r) => r.time >= since && r.reply?.status === 500, 2, 'two more HTTP 500');
    expect(await readIfExists(s.out.web as string)).toBe(WEB_A);

    // Then Consul answers: no instance is left. That is data, and it is rendered.
    s.fake.setService('web', []);
    s.fake.clearFaults(WEB);
    await waitForContent(s, 'web', WEB_EMPTY);
  });

  test('the same data at a new index rewrites nothing and runs no command', async () => {
    const s = await setup({ before: (fake) => fake.setService('web', [A]) });
    await waitForContent(s, 'web', WEB_A);
    await s.daemon.waitFor(async () => (await readLines(s.runs)).length === 1, { what: 'the first command run' });
    const before = await stat(s.out.web as string, { bigint: true });

    for (let i = 0; i < 3; i++) {
      const index = s.fake.touch(WEB);
      const [reply] = await waitForReplies(s, WEB, (r) => r.reply?.index === index, 1, `the reply at index ${index}`);
      // Once ctmpl asks with the new index it has handled the reply.
      const next = await nextRequest(s, reply as RecordedRequest);
      expect(next.query.index).toBe(String(index));
    }
    const after = await stat(s.out.web as string, { bigint: true });
    expect([after.ino, after.mtimeNs], 'inode and mtime').toEqual([before.ino, before.mtimeNs]);
    expect(await readLines(s.runs), 'command runs').toHaveLength(1);
    expect(s.daemon.logs().filter((l) => l.msg === 'wrote file')).toHaveLength(1);
    expect(s.daemon.logs().filter((l) => l.msg === 'rendered; file unchanged'), 'not even a render').toEqual([]);

    // Control: a real change still goes through.
    s.fake.setService('web', [B]);
    await waitForContent(s, 'web', WEB_B);
    await s.daemon.waitFor(async () => (await readLines(s.runs)).length === 2, { what: 'the second command run' });
  });

  test('stale reads: stale first; a reply lagging beyond --max-stale is asked again of the leader', async () => {
    const s = await setup({ before: (fake) => fake.setService('web', [A]), extraArgs: ['--max-stale', '1s'] });
    await waitForContent(s, 'web', WEB_A);
    const [first] = s.fake.requestsFor(WEB);
    expect(first?.query, 'the first request').toHaveProperty('stale');
    expect(first?.query).not.toHaveProperty('consistent');

    // Within the bound (500 ms ≤ 1 s): the stale reply is used as it is.
    const held = await waitForHeld(s, WEB, 0);
    s.fake.inject(WEB, { kind: 'lastContact', ms: 500 }, 1);
    s.fake.touch(WEB);
    const withinBound = await waitForReplies(s, WEB, (r) => r.seq >= held.seq && r.reply?.faults.includes('lastContact') === true, 1, 'a reply 500 ms behind');
    const afterWithin = await nextRequest(s, withinBound[0] as RecordedRequest);
    expect(afterWithin.query, 'after a reply within --max-stale').toHaveProperty('stale');

    // Beyond it (5000 ms > 1 s): the same query again, of the leader, from index 0.
    await waitForHeld(s, WEB, afterWithin.time);
    s.fake.inject(WEB, { kind: 'lastContact', ms: 5000 }, 1);
    s.fake.setService('web', [B]);
    const [lagging] = await waitForReplies(s, WEB, (r) => r.reply?.faults.includes('lastContact') === true && r.seq >= afterWithin.seq, 1, 'a reply 5000 ms behind');
    const leaderRead = await nextRequest(s, lagging as RecordedRequest);
    expect(leaderRead.query, 'after a reply beyond --max-stale').not.toHaveProperty('stale');
    expect(leaderRead.query).not.toHaveProperty('consistent');
    expect(leaderRead.query.index).toBe('0');
    await waitForContent(s, 'web', WEB_B);
    const then = await nextRequest(s, leaderRead);
    expect(then.query, 'then stale reads again').toHaveProperty('stale');
  });

  test('--consistent sends `consistent` on every request, and never `stale`', async () => {
    const s = await setup({ before: (fake) => fake.setService('web', [A]), extraArgs: ['--consistent'] });
    await waitForContent(s, 'web', WEB_A);
    s.fake.setService('web', [B]);
    await waitForContent(s, 'web', WEB_B);
    const sent = s.fake.requestsFor(WEB);
    expect(sent.length).toBeGreaterThanOrEqual(2);
    for (const r of sent) {
      expect(r.query, `request #${r.seq}`).toHaveProperty('consistent');
      expect(r.query, `request #${r.seq}`).not.toHaveProperty('stale');
    }
  });

  test('the ACL token from CONSUL_HTTP_TOKEN is sent as X-Consul-Token and never printed', async () => {
    const token = randomUUID();
    const s = await setup({
      env: { CONSUL_HTTP_TOKEN: token },
      extraArgs: ['--log-level', 'trace'],
      waitForFirstRender: false,
      before: (fake) => {
        fake.setService('web', [A]);
        // A permission failure and a server error first, so that errors are logged as well.
        fake.inject(WEB, { kind: 'status', status: 403, body: 'Permission denied: token with AccessorID \'00000000-0000-0000-0000-000000000002\' lacks permission \'service:read\' on "web"' }, 1);
        fake.inject(WEB, { kind: 'status', status: 500 }, 1);
      },
    });
    await waitForContent(s, 'web', WEB_A);
    s.fake.setService('web', [B]);
    await waitForContent(s, 'web', WEB_B);
    await s.daemon.stop();

    const sent = s.fake.requestsFor();
    expect(sent.length).toBeGreaterThanOrEqual(3);
    for (const r of sent) expect(r.headers['x-consul-token'], `request #${r.seq} ${r.path}`).toBe(token);
    for (const r of sent) expect(JSON.stringify(r.query), 'never in the query string').not.toContain(token);
    expect(consulErrors(s.daemon).length, 'the failures were logged').toBeGreaterThanOrEqual(1);
    const output = s.daemon.stdout() + s.daemon.stderr();
    expect(output.length).toBeGreaterThan(0);
    expect(output.includes(token), 'the token in ctmpl output').toBe(false);
  });
});
