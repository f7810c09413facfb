import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { freePort } from '../ports.js';
import { registerCleanup, tempDir } from '../tmp.js';
import { REPO_ROOT } from '../programs.js';

/**
 * A real Eureka server (Spring Cloud Netflix's, built once by ./obtain.sh) on a free loopback
 * port, with REST helpers that register instances as Eureka clients do. Always stopped when the
 * test (or file) ends. One server per test file: a JVM takes 10–15 s to start (more on a busy
 * machine).
 */

/** The server jar: EUREKA_SERVER_JAR, else built once with Maven into the tools cache. */
export function eurekaServerJar(): string {
  if (process.env.EUREKA_SERVER_JAR) return process.env.EUREKA_SERVER_JAR;
  const script = join(REPO_ROOT, 'test/support/eureka/obtain.sh');
  const out = execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const path = out.trim().split('\n').pop();
  if (!path) throw new Error('obtain.sh printed no jar path');
  return path;
}

/** An instance to register, as a Eureka client describes itself. */
export interface EurekaRegistration {
  readonly app: string;
  readonly id: string;
  readonly ip: string;
  readonly port: number;
  /** An enabled securePort (the plain port is then disabled when `securePortOnly`). */
  readonly securePort?: number;
  readonly securePortOnly?: boolean;
  readonly status?: 'UP' | 'DOWN' | 'STARTING' | 'OUT_OF_SERVICE' | 'UNKNOWN';
  readonly metadata?: Readonly<Record<string, string>>;
  readonly vipAddress?: string;
  /** Lease duration (durationInSecs, default 90); Eureka evicts after twice this without a heartbeat. */
  readonly leaseSeconds?: number;
}

export interface StartOptions {
  /**
   * Refuse reads (HTTP 403) for this long after start, as a server whose peers gave it nothing
   * does (eureka.server.wait-time-in-ms-when-sync-empty), so clients re-register first.
   */
  readonly syncWaitMs?: number;
}

export interface EurekaServer {
  /** 127.0.0.1:PORT */
  readonly address: string;
  register(instance: EurekaRegistration): Promise<void>;
  /** Renews a lease; the HTTP status (404: the server does not know the instance: register again). */
  heartbeat(app: string, id: string): Promise<number>;
  /** Heartbeats every `everyMs`, registering again when the server forgot the instance (as clients do); returns a stop function. */
  keepAlive(instance: EurekaRegistration, everyMs: number): () => void;
  setStatus(app: string, id: string, status: string): Promise<void>;
  deregister(app: string, id: string): Promise<void>;
  /** GET {context}/apps as JSON. */
  apps(): Promise<unknown>;
  /** Kills the JVM (SIGKILL: an outage). */
  kill(): Promise<void>;
  /** Kills it and starts it again on the same port (its registry starts empty). */
  restart(options?: StartOptions): Promise<void>;
  stop(): Promise<void>;
}

/** Ready within this long (a JVM on a loaded 2-core machine has taken 45 s). */
const READY_TIMEOUT_MS = 150_000;

function registrationJson(r: EurekaRegistration): unknown {
  return {
    instance: {
      instanceId: r.id,
      hostName: `${r.id}.test`,
      app: r.app.toUpperCase(),
      ipAddr: r.ip,
      status: r.status ?? 'UP',
      port: { $: r.port, '@enabled': r.securePortOnly ? 'false' : 'true' },
      securePort: { $: r.securePort ?? 443, '@enabled': r.securePort !== undefined ? 'true' : 'false' },
      vipAddress: r.vipAddress ?? r.app.toLowerCase(),
      dataCenterInfo: { '@class': 'com.netflix.appinfo.InstanceInfo$DefaultDataCenterInfo', name: 'MyOwn' },
      leaseInfo: { renewalIntervalInSecs: Math.max(1, Math.floor((r.leaseSeconds ?? 90) / 3)), durationInSecs: r.leaseSeconds ?? 90 },
      metadata: r.metadata ?? {},
    },
  };
}

export async function startEureka(options: StartOptions = {}): Promise<EurekaServer> {
  const jar = eurekaServerJar();
  const dir = await tempDir('ctmpl-eureka-');
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const base = `http://${address}/eureka`;
  let child: ResultPromise | undefined;
  let output = '';

  const call = async (method: string, path: string, body?: unknown): Promise<Response> =>
    fetch(`${base}${path}`, {
      method,
      headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
  const expectOk = async (method: string, path: string, body?: unknown): Promise<void> => {
    const res = await call(method, path, body);
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  };

  const launch = async (start: StartOptions): Promise<void> => {
    const args = [
      '-Xmx128m', '-XX:+UseSerialGC', '-jar', jar,
      `--server.port=${port}`, '--server.address=127.0.0.1',
      '--eureka.client.register-with-eureka=false', '--eureka.client.fetch-registry=false',
      '--eureka.server.enable-self-preservation=false', '--eureka.server.use-read-only-response-cache=false',
      '--eureka.server.eviction-interval-timer-in-ms=1000', '--eureka.server.response-cache-update-interval-ms=1000',
      '--logging.level.root=WARN',
      ...(start.syncWaitMs !== undefined
        ? ['--eureka.instance.registry.default-open-for-traffic-count=0', `--eureka.server.wait-time-in-ms-when-sync-empty=${start.syncWaitMs}`]
        : []),
    ];
    const proc = execa('java', args, { cwd: dir, reject: false, stdin: 'ignore', all: true, buffer: false });
    proc.all?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    });
    child = proc;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    // Serving: /apps answers 200, or 403 while it waits for registrations (syncWaitMs).
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`the Eureka server exited (${proc.exitCode}): ${output}`);
      const status = await call('GET', '/apps').then((r) => r.status, () => 0);
      if (status === 200 || (status === 403 && start.syncWaitMs !== undefined)) return;
      if (Date.now() > deadline) throw new Error(`the Eureka server at ${address} was not ready within ${READY_TIMEOUT_MS} ms: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  const halt = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await proc;
    clearTimeout(timer);
  };

  const keepAlives = new Set<() => void>();
  registerCleanup(async () => {
    for (const stop of keepAlives) stop();
    await halt('SIGKILL');
  });
  await launch(options);

  const server: EurekaServer = {
    address,
    register: (r) => expectOk('POST', `/apps/${encodeURIComponent(r.app.toUpperCase())}`, registrationJson(r)),
    heartbeat: async (app, id) => (await call('PUT', `/apps/${encodeURIComponent(app.toUpperCase())}/${encodeURIComponent(id)}`)).status,
    keepAlive(instance, everyMs) {
      let stopped = false;
      const beat = async (): Promise<void> => {
        if (stopped) return;
        try {
          if ((await server.heartbeat(instance.app, instance.id)) === 404) await server.register(instance);
        } catch {
          // The server is down: the next beat tries again, as a client does.
        }
        if (!stopped) timer = setTimeout(() => void beat(), everyMs);
      };
      let timer = setTimeout(() => void beat(), everyMs);
      const stop = (): void => {
        stopped = true;
        clearTimeout(timer);
        keepAlives.delete(stop);
      };
      keepAlives.add(stop);
      return stop;
    },
    setStatus: (app, id, status) => expectOk('PUT', `/apps/${encodeURIComponent(app.toUpperCase())}/${encodeURIComponent(id)}/status?value=${status}`),
    deregister: (app, id) => expectOk('DELETE', `/apps/${encodeURIComponent(app.toUpperCase())}/${encodeURIComponent(id)}`),
    apps: async () => (await call('GET', '/apps')).json() as Promise<unknown>,
    kill: () => halt('SIGKILL'),
    restart: async (start = {}) => {
      await halt('SIGKILL');
      await launch(start);
    },
    stop: () => halt('SIGTERM'),
  };
  return server;
}
