import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { field, LEVEL, NO_CONSUL_ENV, readIfExists, readLines, runCtmpl, startCtmpl, TEMPLATES, waitFor, type Daemon, type LogLine } from '../support/ctmpl.js';
import { registerTtlInstance, setCheck, startConsul, type ConsulAgent } from '../support/consul.js';
import { startCountingProxy } from '../support/counting-proxy.js';
import { fileBecomes, holdsFor } from '../support/registry-job.js';
import { tempDir } from '../support/tmp.js';

/**
 * ctmpl against a real Consul dev agent (the pinned binary, on free loopback ports). Every test
 * starts its own agent, so catalogs, KV and indexes never leak between tests. Effects are awaited
 * by polling with deadlines; the only fixed-length waits are the outage windows, during which
 * the tests check continuously that nothing happens.
 */


/** Deadline for one change in Consul to reach the file (a blocking query answers at once). */
const CHANGE_MS = 10_000;
/** Deadline after Consul comes back: allows for a backoff step or two (base 250 ms, doubling). */
const RECOVERY_MS = 30_000;

/** One line per instance: `ID address:port`. */
const INSTANCES = (query: string): string => `{{#each ${query}}}{{ID}} {{hostPort Address Port}}\n{{/each}}`;

interface Job {
  readonly dir: string;
  readonly template: string;
  readonly out: string;
  /** One line per run of the global command. */
  readonly runs: string;
}

async function newJob(templateText: string): Promise<Job> {
  const dir = await tempDir();
  const job = { dir, template: join(dir, 'job.hbs'), out: join(dir, 'out', 'job.conf'), runs: join(dir, 'runs.log') };
  await writeFile(job.template, templateText);
  return job;
}

/**
 * This file specifies the Consul source. The removal guard and flap damping hold or delay changes
 * on purpose and are specified by their own tests, so the daemons here run with them off.
 */
const GUARDS_OFF = ['--max-removal', 'off', '--flap', 'off'] as const;

/** ctmpl as a daemon on `address`, no quiescence, `echo run >> runs` after each changed batch. */
function watchConsul(address: string, job: Job, extra: readonly string[] = [], env: Readonly<Record<string, string>> = {}): Daemon {
  return startCtmpl(['--consul-addr', address, '-t', `${job.template}:${job.out}`, '--wait', '0', '-c', `echo run >> ${job.runs}`, ...GUARDS_OFF, ...extra], {
    cwd: job.dir,
    env: { ...NO_CONSUL_ENV, ...env },
  });
}

/** Waits until the command has run `count` times in all; fails if it ran more often. */
async function expectRuns(daemon: Daemon, runs: string, count: number): Promise<void> {
  const lines = await daemon.waitFor(
    async () => {
      const lines = await readLines(runs);
      return lines.length >= count ? lines : undefined;
    },
    { timeoutMs: CHANGE_MS, what: `${count} command run(s)` },
  );
  expect(lines, 'command runs').toHaveLength(count);
}

const isConsulError = (line: LogLine): boolean => line.level >= LEVEL.error && /consul/i.test(line.msg);
const isRecovery = (line: LogLine): boolean => line.level === LEVEL.info && /consul/i.test(line.msg) && /answers again/i.test(line.msg);
const isPermissionError = (line: LogLine): boolean =>
  line.level >= LEVEL.error && /permission denied|\b403\b|acl|token/i.test(`${line.msg} ${field(line, 'err')}`);
const consulErrors = (daemon: Daemon): LogLine[] => daemon.logs().filter(isConsulError);

interface InstanceSpec {
  readonly id: string;
  readonly name: string;
  readonly address: string;
  readonly port: number;
  readonly tags?: string[];
}

/** Registers an instance with a TTL check and passes it; returns the check ID. */
async function registerPassing(agent: ConsulAgent, instance: InstanceSpec): Promise<string> {
  const check = await registerTtlInstance(agent, instance);
  await setCheck(agent, check, 'pass');
  return check;
}

async function putKey(agent: ConsulAgent, key: string, value: string): Promise<void> {
  await agent.api('PUT', `/v1/kv/${key}`, value);
}

/** X-Consul-Index of the passing-instances query ctmpl sends for `service`. */
async function healthIndex(agent: ConsulAgent, service: string): Promise<number> {
  const res = await fetch(`http://${agent.address}/v1/health/service/${service}?passing`);
  await res.arrayBuffer();
  const index = Number(res.headers.get('x-consul-index'));
  if (!res.ok || !Number.isFinite(index)) throw new Error(`GET /v1/health/service/${service}: HTTP ${res.status}, index ${String(res.headers.get('x-consul-index'))}`);
  return index;
}

/** A token whose policy reads every service, node and key, as a ctmpl deployment would have. */
async function readOnlyToken(agent: ConsulAgent): Promise<string> {
  await agent.api('PUT', '/v1/acl/policy', {
    Name: 'ctmpl-read',
    Rules: 'service_prefix "" { policy = "read" }\nnode_prefix "" { policy = "read" }\nkey_prefix "" { policy = "read" }\n',
  });
  const token = (await agent.api('PUT', '/v1/acl/token', { Description: 'ctmpl test', Policies: [{ Name: 'ctmpl-read' }] })) as { SecretID?: unknown };
  if (typeof token.SecretID !== 'string' || token.SecretID === '') throw new Error('Consul returned no SecretID');
  return token.SecretID;
}

/** The `server` lines of one `upstream NAME { … }` block of templates/nginx-upstream.hbs output. */
function upstreamServers(conf: string, service: string): string[] | undefined {
  const block = new RegExp(`^upstream ${service} \\{\\n([\\s\\S]*?)^\\}`, 'm').exec(conf);
  return block?.[1]
    ?.split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('server '));
}

const nginxServer = (hostPort: string): string => `server ${hostPort} max_fails=3 fail_timeout=10s;`;

describe('service instances follow Consul health checks', () => {
  test('register, fail, pass and deregister instances: the nginx upstream and a custom template follow each step', async () => {
    const agent = await startConsul();
    const job = await newJob(INSTANCES('(service "web")'));
    const nginxOut = join(job.dir, 'out', 'upstreams.conf');
    const checks = [];
    for (const n of [1, 2, 3]) checks.push(await registerPassing(agent, { id: `web-${n}`, name: 'web', address: `10.0.0.${n}`, port: 8080 }));
    const [, check2] = checks as [string, string, string];

    const daemon = watchConsul(agent.address, job, ['-t', `${TEMPLATES}/nginx-upstream.hbs:${nginxOut}`]);
    const nginxWeb = async (expected: string[]): Promise<void> => {
      let last: string[] | undefined;
      await daemon.waitFor(
        async () => {
          const text = await readIfExists(nginxOut);
          last = text === undefined ? undefined : upstreamServers(text, 'web');
          return JSON.stringify(last) === JSON.stringify(expected.map(nginxServer));
        },
        { timeoutMs: CHANGE_MS, what: `upstream web to list ${expected.join(', ')}` },
      ).catch((err: unknown) => {
        throw new Error(`${err instanceof Error ? err.message : String(err)}\nlast upstream web: ${JSON.stringify(last)}`);
      });
    };

    await fileBecomes(daemon, job.out, 'web-1 10.0.0.1:8080\nweb-2 10.0.0.2:8080\nweb-3 10.0.0.3:8080\n');
    await nginxWeb(['10.0.0.1:8080', '10.0.0.2:8080', '10.0.0.3:8080']);

    await setCheck(agent, check2, 'fail');
    await fileBecomes(daemon, job.out, 'web-1 10.0.0.1:8080\nweb-3 10.0.0.3:8080\n');
    await nginxWeb(['10.0.0.1:8080', '10.0.0.3:8080']);

    await setCheck(agent, check2, 'pass');
    await fileBecomes(daemon, job.out, 'web-1 10.0.0.1:8080\nweb-2 10.0.0.2:8080\nweb-3 10.0.0.3:8080\n');
    await nginxWeb(['10.0.0.1:8080', '10.0.0.2:8080', '10.0.0.3:8080']);

    await agent.api('PUT', '/v1/agent/service/deregister/web-3');
    await fileBecomes(daemon, job.out, 'web-1 10.0.0.1:8080\nweb-2 10.0.0.2:8080\n');
    await nginxWeb(['10.0.0.1:8080', '10.0.0.2:8080']);
  });

  test('status filter: the default keeps passing only, status="passing,warning" keeps warnings, status="any" keeps critical', async () => {
    const agent = await startConsul();
    const job = await newJob(
      [
        `default:{{#each (service "web")}} {{ID}}{{/each}}`,
        `passing,warning:{{#each (service "web" status="passing,warning")}} {{ID}}{{/each}}`,
        `any:{{#each (service "web" status="any")}} {{ID}}={{Status}}{{/each}}`,
        '',
      ].join('\n'),
    );
    const checks = [];
    for (const n of [1, 2, 3]) checks.push(await registerPassing(agent, { id: `web-${n}`, name: 'web', address: `10.0.1.${n}`, port: 80 }));
    const [, check2, check3] = checks as [string, string, string];
    const daemon = watchConsul(agent.address, job);
    await fileBecomes(daemon, job.out, 'default: web-1 web-2 web-3\npassing,warning: web-1 web-2 web-3\nany: web-1=passing web-2=passing web-3=passing\n');

    await setCheck(agent, check2, 'warn');
    await fileBecomes(daemon, job.out, 'default: web-1 web-3\npassing,warning: web-1 web-2 web-3\nany: web-1=passing web-2=warning web-3=passing\n');

    await setCheck(agent, check3, 'fail');
    await fileBecomes(daemon, job.out, 'default: web-1\npassing,warning: web-1 web-2\nany: web-1=passing web-2=warning web-3=critical\n');
  });

  test('tag filter: tag="canary" and the string form "canary.web" select the same instances (via --source consul://)', async () => {
    const agent = await startConsul();
    const job = await newJob(
      [`hash:{{#each (service "web" tag="canary")}} {{ID}}{{/each}}`, `dotted:{{#each (service "canary.web")}} {{ID}}{{/each}}`, `all:{{#each (service "web")}} {{ID}}{{/each}}`, ''].join(
        '\n',
      ),
    );
    await registerPassing(agent, { id: 'web-1', name: 'web', address: '10.0.2.1', port: 80, tags: ['canary'] });
    await registerPassing(agent, { id: 'web-2', name: 'web', address: '10.0.2.2', port: 80, tags: ['stable'] });
    await registerPassing(agent, { id: 'web-3', name: 'web', address: '10.0.2.3', port: 80, tags: ['stable', 'canary'] });
    const daemon = startCtmpl(['--source', `consul://${agent.address}`, '-t', `${job.template}:${job.out}`, '--wait', '0', ...GUARDS_OFF], { cwd: job.dir, env: NO_CONSUL_ENV });
    await fileBecomes(daemon, job.out, 'hash: web-1 web-3\ndotted: web-1 web-3\nall: web-1 web-2 web-3\n');

    await registerPassing(agent, { id: 'web-4', name: 'web', address: '10.0.2.4', port: 80, tags: ['canary'] });
    await fileBecomes(daemon, job.out, 'hash: web-1 web-3 web-4\ndotted: web-1 web-3 web-4\nall: web-1 web-2 web-3 web-4\n');
  });

  test('(services) follows a new service registration', async () => {
    const agent = await startConsul();
    const job = await newJob('{{#each (services)}}{{Name}}[{{join Tags ","}}]\n{{/each}}');
    await registerPassing(agent, { id: 'api-1', name: 'api', address: '10.0.3.1', port: 9000, tags: ['v1'] });
    const daemon = watchConsul(agent.address, job);
    // The dev agent registers itself as the service "consul".
    await fileBecomes(daemon, job.out, 'api[v1]\nconsul[]\n');
    await expectRuns(daemon, job.runs, 1);

    // Listed as soon as it is in the catalog, healthy or not.
    await registerTtlInstance(agent, { id: 'billing-1', name: 'billing', address: '10.0.3.2', port: 7000, tags: ['blue'] });
    await fileBecomes(daemon, job.out, 'api[v1]\nbilling[blue]\nconsul[]\n');
    await expectRuns(daemon, job.runs, 2);
  });

  test('services named "." and ".." are read as themselves (URL routers would resolve such a path away)', async () => {
    const agent = await startConsul();
    const job = await newJob('{{#each (services)}}{{#unless (eq Name "consul")}}{{#each (service this)}}{{Name}}={{Address}}\n{{/each}}{{/unless}}{{/each}}');
    await registerPassing(agent, { id: 'dot-1', name: '.', address: '10.0.4.1', port: 80 });
    await registerPassing(agent, { id: 'dots-1', name: '..', address: '10.0.4.2', port: 80 });
    const daemon = watchConsul(agent.address, job);
    await fileBecomes(daemon, job.out, '.=10.0.4.1\n..=10.0.4.2\n');
  });
});

describe('KV', () => {
  test('(key "app/maxconn") re-renders when the key is changed', async () => {
    const agent = await startConsul();
    const job = await newJob('maxconn {{key "app/maxconn"}}\n');
    await putKey(agent, 'app/maxconn', '512');
    const daemon = watchConsul(agent.address, job);
    await fileBecomes(daemon, job.out, 'maxconn 512\n');
    await expectRuns(daemon, job.runs, 1);

    await putKey(agent, 'app/maxconn', '1024');
    await fileBecomes(daemon, job.out, 'maxconn 1024\n');
    await expectRuns(daemon, job.runs, 2);
  });

  test('keyOrDefault gives the default while the key is missing, then the value, then the default again when it is deleted', async () => {
    const agent = await startConsul();
    const job = await newJob('timeout {{keyOrDefault "app/timeout" "30s"}}\n');
    const daemon = watchConsul(agent.address, job);
    await fileBecomes(daemon, job.out, 'timeout 30s\n');

    await putKey(agent, 'app/timeout', '5s');
    await fileBecomes(daemon, job.out, 'timeout 5s\n');

    await agent.api('DELETE', '/v1/kv/app/timeout');
    await fileBecomes(daemon, job.out, 'timeout 30s\n');
    await expectRuns(daemon, job.runs, 3);
  });

  test('(ls "app/pool") of an empty prefix gives nothing, then lists the direct children as they are added', async () => {
    const agent = await startConsul();
    const job = await newJob('{{#each (ls "app/pool")}}{{Key}}={{Value}};{{else}}(empty){{/each}}\n');
    await putKey(agent, 'app/other', 'not in the folder');
    const daemon = watchConsul(agent.address, job);
    await fileBecomes(daemon, job.out, '(empty)\n');

    await putKey(agent, 'app/pool/b', '2');
    await fileBecomes(daemon, job.out, 'b=2;\n');
    await putKey(agent, 'app/pool/a', '1');
    await putKey(agent, 'app/pool/nested/c', '3');
    await fileBecomes(daemon, job.out, 'a=1;b=2;\n');
  });

  test('--once with (key "missing") waits for the key instead of exiting, then renders it and exits 0', async () => {
    const agent = await startConsul();
    const job = await newJob('value={{key "missing"}}\n');
    const daemon = startCtmpl(['--consul-addr', agent.address, '-t', `${job.template}:${job.out}`, '--once', '--log-level', 'debug'], { cwd: job.dir, env: NO_CONSUL_ENV });
    // Consul has answered "no such key" and the template waits on it.
    await daemon.waitForLog((line) => Array.isArray(line.waiting) && line.waiting.includes('key "missing" does not exist'), { timeoutMs: CHANGE_MS });
    expect(daemon.exit, 'ctmpl --once exited while the key could still appear').toBeUndefined();
    expect(await readIfExists(job.out)).toBeUndefined();

    await putKey(agent, 'missing', 'arrived');
    const exit = await waitFor(() => daemon.exit, { timeoutMs: CHANGE_MS, what: 'ctmpl --once to exit after the key was created' });
    expect(exit, daemon.stdout() + daemon.stderr()).toEqual({ exitCode: 0, signal: undefined });
    expect(await readFile(job.out, 'utf8')).toBe('value=arrived\n');
  });
});

describe('identical data at a new index is not a change', () => {
  test('a second passing check on an instance changes only its Checks: the file is not rewritten and nothing runs; the next real change is the next run', async () => {
    const agent = await startConsul();
    // Through a recording proxy, to know when ctmpl has received (and handled) each reply.
    const proxy = await startCountingProxy(agent.address);
    const job = await newJob(INSTANCES('(service "same")'));
    await registerPassing(agent, { id: 'same-1', name: 'same', address: '10.0.4.1', port: 80 });
    const daemon = watchConsul(proxy.address, job);
    await fileBecomes(daemon, job.out, 'same-1 10.0.4.1:80\n');
    await expectRuns(daemon, job.runs, 1);
    const writes = (): number => daemon.logs().filter((l) => field(l, 'destination') === job.out && l.msg === 'wrote file').length;
    const writesBefore = writes();
    const mtime = (await stat(job.out)).mtimeMs;

    // The same instances with the same aggregate status, at a new index: a passing check is added,
    // then removed. (Re-registering an identical service, or passing a passing TTL check again,
    // does not move the index of Consul 1.22, and a new TTL note waits for check_update_interval.)
    const changes = [
      () => agent.api('PUT', '/v1/agent/check/register', { ID: 'same-1-disk', Name: 'disk', ServiceID: 'same-1', TTL: '10m', Status: 'passing' }),
      () => agent.api('PUT', '/v1/agent/check/deregister/same-1-disk'),
    ];
    for (const change of changes) {
      const before = await healthIndex(agent, 'same');
      await change();
      const moved = await waitFor(
        async () => {
          const index = await healthIndex(agent, 'same');
          return index > before ? index : undefined;
        },
        { what: 'the health index to move' },
      );
      // ctmpl has handled the reply at the new index once it blocks on that index.
      await daemon.waitFor(() => proxy.requests.some((u) => u.pathname === '/v1/health/service/same' && Number(u.searchParams.get('index')) >= moved), {
        timeoutMs: CHANGE_MS,
        what: `ctmpl to ask again with index >= ${moved}`,
      });
      // Templates see the check (Checks, as consul-template's): they render again, to the same text.
      expect(writes(), 'writes of an identical text').toBe(writesBefore);
      expect((await stat(job.out)).mtimeMs).toBe(mtime);
      expect(await readLines(job.runs)).toHaveLength(1);
    }

    // Barrier: a real change is the next and only command run.
    await registerPassing(agent, { id: 'same-2', name: 'same', address: '10.0.4.2', port: 80 });
    await fileBecomes(daemon, job.out, 'same-1 10.0.4.1:80\nsame-2 10.0.4.2:80\n');
    await expectRuns(daemon, job.runs, 2);
    expect(writes()).toBe(writesBefore + 1);
  });
});

describe('Consul outages', () => {
  test(
    'an outage keeps the file byte-identical, runs nothing, is logged once, and ctmpl converges when Consul is back',
    { timeout: 60_000 },
    async () => {
      const agent = await startConsul();
      const job = await newJob(INSTANCES('(service "edge")'));
      const checks = [];
      for (const n of [1, 2, 3]) checks.push(await registerPassing(agent, { id: `edge-${n}`, name: 'edge', address: `10.0.5.${n}`, port: 443 }));
      const [, , check3] = checks as [string, string, string];
      const daemon = watchConsul(agent.address, job);
      const all = 'edge-1 10.0.5.1:443\nedge-2 10.0.5.2:443\nedge-3 10.0.5.3:443\n';
      await fileBecomes(daemon, job.out, all);
      // History before the outage, as a cluster that has been running a while has: its raft
      // index is far ahead of the one a rebuilt Consul starts from.
      for (let n = 0; n < 20; n++) await putKey(agent, `history/${n}`, String(n));
      await setCheck(agent, check3, 'fail');
      await fileBecomes(daemon, job.out, 'edge-1 10.0.5.1:443\nedge-2 10.0.5.2:443\n');
      await setCheck(agent, check3, 'pass');
      await fileBecomes(daemon, job.out, all);
      await expectRuns(daemon, job.runs, 3);
      const good = await readFile(job.out);

      await agent.kill();
      const failure = await daemon.waitForLog(isConsulError, { timeoutMs: CHANGE_MS, what: 'the Consul failure to be logged' });
      expect(failure.msg).toContain(agent.address);
      await holdsFor(3000, async () => {
        expect(daemon.exit, 'ctmpl exited during the outage').toBeUndefined();
        expect(await readFile(job.out), 'the file during the outage').toEqual(good);
        expect(await readLines(job.runs), 'command runs during the outage').toHaveLength(3);
      });
      expect(consulErrors(daemon).length, 'Consul error lines over 3 s of outage (once per problem, not per retry)').toBeLessThanOrEqual(3);

      // Consul comes back with a new raft log (the dev agent keeps it in memory) but restores the
      // services registered through its API from its data directory: set what runs now.
      await agent.restart();
      const restored = Object.keys((await agent.api('GET', '/v1/agent/services')) as Record<string, unknown>);
      for (const id of restored.filter((id) => id !== 'edge-1')) await agent.api('PUT', `/v1/agent/service/deregister/${id}`);
      await registerPassing(agent, { id: 'edge-1', name: 'edge', address: '10.0.5.1', port: 443 });
      await registerPassing(agent, { id: 'edge-4', name: 'edge', address: '10.0.5.4', port: 443 });
      await fileBecomes(daemon, job.out, 'edge-1 10.0.5.1:443\nedge-4 10.0.5.4:443\n', RECOVERY_MS);
      await daemon.waitForLog(isRecovery, { timeoutMs: CHANGE_MS, what: 'the log that Consul answers again' });
      // At least one run for the new state (intermediate states while re-registering may add more).
      await daemon.waitFor(async () => (await readLines(job.runs)).length >= 4, { timeoutMs: CHANGE_MS, what: 'the command to run for the new state' });
      expect(consulErrors(daemon).length, 'Consul error lines in all').toBeLessThanOrEqual(3);
    },
  );

  test('started while Consul is down: keeps running, logs the failure once, renders once Consul answers', { timeout: 60_000 }, async () => {
    const agent = await startConsul();
    await agent.kill();
    const job = await newJob(INSTANCES('(service "late")'));
    const daemon = watchConsul(agent.address, job);
    await daemon.waitForLog(isConsulError, { timeoutMs: CHANGE_MS, what: 'the Consul failure to be logged' });
    await holdsFor(2000, async () => {
      expect(daemon.exit, 'ctmpl exited while Consul was down').toBeUndefined();
      expect(await readIfExists(job.out), 'a file rendered without data').toBeUndefined();
      expect(await readLines(job.runs), 'command runs while Consul was down').toEqual([]);
    });
    expect(consulErrors(daemon), 'one watch, one problem: one error line').toHaveLength(1);

    await agent.restart();
    await registerPassing(agent, { id: 'late-1', name: 'late', address: '10.0.6.1', port: 80 });
    await fileBecomes(daemon, job.out, 'late-1 10.0.6.1:80\n', RECOVERY_MS);
    await daemon.waitForLog(isRecovery, { timeoutMs: CHANGE_MS, what: 'the log that Consul answers again' });
  });
});

describe('ACLs (default deny)', () => {
  test('a read token from CONSUL_HTTP_TOKEN_FILE renders, and the token never appears in the output', async () => {
    const agent = await startConsul({ managementToken: 'root' });
    const secret = await readOnlyToken(agent);
    await registerPassing(agent, { id: 'web-1', name: 'web', address: '10.0.7.1', port: 80 });
    await putKey(agent, 'app/maxconn', '256');
    const job = await newJob(`${INSTANCES('(service "web")')}maxconn {{key "app/maxconn"}}\n`);
    const tokenFile = join(job.dir, 'consul.token');
    await writeFile(tokenFile, `${secret}\n`);
    const daemon = watchConsul(agent.address, job, ['--log-level', 'debug'], { CONSUL_HTTP_TOKEN_FILE: tokenFile });
    await fileBecomes(daemon, job.out, 'web-1 10.0.7.1:80\nmaxconn 256\n');
    await expectRuns(daemon, job.runs, 1);
    expect(daemon.stdout() + daemon.stderr()).not.toContain(secret);
  });

  test('without a token, a key read is a clear permission error and no file is written', async () => {
    const agent = await startConsul({ managementToken: 'root' });
    const secret = await readOnlyToken(agent);
    await putKey(agent, 'app/maxconn', '256');
    const job = await newJob('maxconn {{key "app/maxconn"}}\n');
    const daemon = watchConsul(agent.address, job);
    const error = await daemon.waitForLog(isPermissionError, { timeoutMs: CHANGE_MS, what: 'a permission error' });
    expect(`${error.msg} ${field(error, 'err')}`).toMatch(/permission denied|403/i);
    expect(await readIfExists(job.out)).toBeUndefined();
    expect(daemon.exit).toBeUndefined();
    expect(daemon.stdout() + daemon.stderr()).not.toContain(secret);
  });

  test('without a token, ACL-filtered (empty) service answers are a permission error, not an nginx config with no upstream', async () => {
    const agent = await startConsul({ managementToken: 'root' });
    const secret = await readOnlyToken(agent);
    await registerPassing(agent, { id: 'web-1', name: 'web', address: '10.0.7.1', port: 80 });
    const job = await newJob(await readFile(`${TEMPLATES}/nginx-upstream.hbs`, 'utf8'));
    const daemon = watchConsul(agent.address, job);
    // Whichever comes first: the permission error, or a file rendered from the filtered answer.
    const outcome = await daemon.waitFor(
      async () => {
        const error = daemon.logs().find(isPermissionError);
        if (error) return { error, written: await readIfExists(job.out) };
        const written = await readIfExists(job.out);
        return written === undefined ? undefined : { error, written };
      },
      { timeoutMs: CHANGE_MS, what: 'a permission error or a written file' },
    );
    expect(outcome.written, 'ctmpl wrote a file from the ACL-filtered (empty) catalog').toBeUndefined();
    expect(outcome.error, 'the permission error').toBeDefined();
    expect(daemon.stdout() + daemon.stderr()).not.toContain(secret);
  });
});

describe('--once, --dry and the default source', () => {
  test('--once renders, runs the command and exits 0; --once --dry prints "> DEST" and writes nothing', async () => {
    const agent = await startConsul();
    await registerPassing(agent, { id: 'api-1', name: 'api', address: '10.0.8.1', port: 9000 });
    await registerPassing(agent, { id: 'api-2', name: 'api', address: '10.0.8.2', port: 9000 });
    const job = await newJob(INSTANCES('(service "api")'));
    const expected = 'api-1 10.0.8.1:9000\napi-2 10.0.8.2:9000\n';

    const once = await runCtmpl(['--consul-addr', agent.address, '-t', `${job.template}:${job.out}`, '--once', '-c', `echo run >> ${job.runs}`], { cwd: job.dir, env: NO_CONSUL_ENV });
    expect(once.exitCode, once.stdout + once.stderr).toBe(0);
    expect(await readFile(job.out, 'utf8')).toBe(expected);
    expect(await readLines(job.runs)).toEqual(['run']);

    const dryOut = join(job.dir, 'dry.conf');
    const dry = await runCtmpl(['--source', `consul://${agent.address}`, '-t', `${job.template}:${dryOut}`, '--once', '--dry'], { cwd: job.dir, env: NO_CONSUL_ENV });
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toBe(`> ${dryOut}\n${expected}\n`);
    expect(await readIfExists(dryOut)).toBeUndefined();
  });

  test('with no --source and no --consul-addr, ctmpl reads Consul at CONSUL_HTTP_ADDR', async () => {
    const agent = await startConsul();
    await registerPassing(agent, { id: 'db-1', name: 'db', address: '10.0.9.1', port: 5432 });
    const job = await newJob(INSTANCES('(service "db")'));
    const result = await runCtmpl(['-t', `${job.template}:${job.out}`, '--once'], { cwd: job.dir, env: { ...NO_CONSUL_ENV, CONSUL_HTTP_ADDR: agent.address } });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(await readFile(job.out, 'utf8')).toBe('db-1 10.0.9.1:5432\n');
    const started = result.logs.find((l) => l.msg === 'source started');
    expect(started && field(started, 'uri')).toBe(`consul+http://${agent.address}`);
  });
});
