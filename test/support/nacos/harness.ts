/**
 * A real Nacos for the integration tests: rnacos (obtain.sh builds it once), on free loopback
 * ports — HTTP P, gRPC P+1000 (where every Nacos client looks for it), console elsewhere — with a
 * temp data dir, stopped when the test or file ends. Short health timeouts so a missed heartbeat
 * shows in seconds. Helpers register instances over the v1 HTTP open API (persistent ones, and
 * ephemeral ones kept alive by heartbeats) or over gRPC (ephemeral, living with their connection).
 * rnacos 0.8.8 panics in raft apply at some starts (a startup race): naming works regardless, but
 * logins fail for good, so with authentication on such a start is retried.
 *
 *   const nacos = await startNacos();
 *   await nacos.register({ service: 'web', ip: '10.0.0.1', port: 80, ephemeral: false });
 *   const beats = await nacos.registerWithHeartbeats({ service: 'api', ip: '10.0.0.2', port: 80 });
 *   beats.stop();                       // unhealthy after healthTimeoutS, gone after instanceTimeoutS
 */
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { NacosConnection } from '../../../src/registries/nacos/connection.js';
import { waitFor } from '../ctmpl.js';
import { claimPort, freePort } from '../ports.js';
import { REPO_ROOT } from '../programs.js';
import { registerCleanup, tempDir } from '../tmp.js';

export const RNACOS_VERSION = '0.8.8';

/** The rnacos binary (built on first use: about 15 minutes). */
export function rnacosBinary(): string {
  const script = join(REPO_ROOT, 'test/support/nacos/obtain.sh');
  return execFileSync('bash', [script], { encoding: 'utf8', env: { ...process.env, RNACOS_VERSION }, stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

/** An instance to register (Nacos's own parameter names where they differ only in case). */
export interface InstanceSpec {
  readonly service: string;
  readonly ip: string;
  readonly port: number;
  readonly group?: string;
  readonly namespace?: string;
  readonly cluster?: string;
  readonly weight?: number;
  readonly enabled?: boolean;
  readonly ephemeral?: boolean;
  readonly metadata?: Readonly<Record<string, string>>;
}

export interface NacosOptions {
  /** Authentication on, with this admin user. */
  readonly auth?: { readonly user: string; readonly password: string };
  /** An ephemeral instance without a heartbeat for this long is unhealthy (rnacos adds 3 s). */
  readonly healthTimeoutS?: number;
  /** … and removed after this long (rnacos adds 3 s). */
  readonly instanceTimeoutS?: number;
}

export interface NacosServer {
  readonly httpPort: number;
  readonly grpcPort: number;
  /** 127.0.0.1:httpPort, for a nacos:// URI. */
  readonly address: string;
  /** Registers (or updates) an instance over POST /nacos/v1/ns/instance. */
  register(spec: InstanceSpec): Promise<void>;
  /** Changes an instance (PUT /nacos/v1/ns/instance): enabled, weight, metadata. */
  update(spec: InstanceSpec): Promise<void>;
  deregister(spec: InstanceSpec): Promise<void>;
  /** Registers an ephemeral instance and keeps sending heartbeats every `everyMs` until stopped. */
  registerWithHeartbeats(spec: InstanceSpec, everyMs?: number): Promise<{ stop(): void }>;
  /** Registers an ephemeral instance over gRPC (InstanceRequest): it lives as long as the returned connection. */
  registerOverGrpc(spec: InstanceSpec): Promise<{ close(): void }>;
  /** Stops and starts the server on the same ports and data dir (persistent instances survive). */
  restart(): Promise<void>;
  kill(): Promise<void>;
  start(): Promise<void>;
  /** The server's recent output (for failure messages). */
  output(): string;
}

/** A free port P whose P+1000 is free too (the gRPC port Nacos clients derive). */
async function freePortPair(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await freePort();
    if (await claimPort(port + 1000)) return port;
  }
  throw new Error('no free pair of ports P and P+1000 on 127.0.0.1');
}

function query(spec: InstanceSpec): Record<string, string> {
  return {
    serviceName: spec.service,
    groupName: spec.group ?? 'DEFAULT_GROUP',
    namespaceId: spec.namespace ?? 'public',
    ip: spec.ip,
    port: String(spec.port),
    clusterName: spec.cluster ?? 'DEFAULT',
    ...(spec.weight === undefined ? {} : { weight: String(spec.weight) }),
    ...(spec.enabled === undefined ? {} : { enabled: String(spec.enabled) }),
    ephemeral: String(spec.ephemeral ?? true),
    ...(spec.metadata === undefined ? {} : { metadata: JSON.stringify(spec.metadata) }),
  };
}

export async function startNacos(options: NacosOptions = {}): Promise<NacosServer> {
  const binary = rnacosBinary();
  const dir = await tempDir('ctmpl-rnacos-');
  const httpPort = await freePortPair();
  const grpcPort = httpPort + 1000;
  const consolePort = await freePort();
  const env: Record<string, string> = {
    RNACOS_HTTP_PORT: String(httpPort),
    RNACOS_GRPC_PORT: String(grpcPort),
    RNACOS_HTTP_CONSOLE_PORT: String(consolePort),
    RNACOS_SDK_HOST: '127.0.0.1',
    RNACOS_CONSOLE_HOST: '127.0.0.1',
    RNACOS_DATA_DIR: `${dir}/data`,
    RNACOS_NAMING_HEALTH_TIMEOUT_SECOND: String(options.healthTimeoutS ?? 2),
    RNACOS_NAMING_INSTANCE_TIMEOUT_SECOND: String(options.instanceTimeoutS ?? 4),
    // No TCP probes of persistent instances (their addresses are made up).
    RNACOS_NAMING_PERPETUAL_INSTANCE_PROBE_INTERVAL_SECOND: '0',
    RNACOS_ENABLE_METRICS: 'false',
    RUST_LOG: 'warn',
    ...(options.auth
      ? { RNACOS_ENABLE_OPEN_API_AUTH: 'true', RNACOS_INIT_ADMIN_USERNAME: options.auth.user, RNACOS_INIT_ADMIN_PASSWORD: options.auth.password }
      : { RNACOS_ENABLE_OPEN_API_AUTH: 'false' }),
  };
  let child: ResultPromise | undefined;
  let output = '';
  let token: string | undefined;
  const base = `http://127.0.0.1:${httpPort}/nacos`;

  const call = async (method: string, path: string, params: Record<string, string>): Promise<string> => {
    const headers: Record<string, string> = token ? { accessToken: token } : {};
    const res = await fetch(`${base}/${path}?${new URLSearchParams(params)}`, { method, headers, signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    if (!res.ok) throw new Error(`rnacos ${method} /${path}: HTTP ${res.status} ${text}`);
    return text;
  };
  /**
   * The harness's own login. rnacos answers "Mailbox has closed" until its raft store is up, and
   * for good when the startup panic in raft apply (about one start in three here) killed the
   * actor that rate-limits logins: undefined then, so the caller starts the server afresh.
   */
  const login = async (auth: { user: string; password: string }): Promise<string | undefined> => {
    try {
      return await waitFor(
        async () => {
          const res = await fetch(`${base}/v1/auth/login`, { method: 'POST', body: new URLSearchParams({ username: auth.user, password: auth.password }) });
          const text = await res.text();
          if (!res.ok) throw new Error(`login: HTTP ${res.status} ${text}`);
          return (JSON.parse(text) as { accessToken?: string }).accessToken;
        },
        { timeoutMs: 10_000, intervalMs: 100, what: 'the rnacos admin login' },
      );
    } catch (err) {
      if (output.includes('panicked at')) return undefined;
      throw err;
    }
  };

  const kill = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await proc;
    clearTimeout(timer);
  };
  const launch = async (): Promise<void> => {
    output = '';
    const proc = execa(binary, [], { cwd: dir, env, extendEnv: false, reject: false, stdin: 'ignore', all: true, buffer: false });
    proc.all?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    });
    child = proc;
    await waitFor(
      async () => {
        if (proc.exitCode !== null) throw new Error(`rnacos exited (${proc.exitCode}): ${output}`);
        const res = await fetch(`${base}/v1/ns/service/list?pageNo=1&pageSize=1`).catch(() => undefined);
        if (res === undefined || (res.status !== 200 && res.status !== 403)) return false;
        await NacosConnection.check('127.0.0.1', grpcPort, 1000);
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: `rnacos on ports ${httpPort}/${grpcPort}` },
    );
  };
  const start = async (): Promise<void> => {
    if (child) return;
    for (let attempt = 1; ; attempt++) {
      await launch();
      if (!options.auth) return;
      token = await login(options.auth);
      if (token !== undefined) return;
      await kill();
      if (attempt === 5) throw new Error(`rnacos refused every login after 5 starts: ${output}`);
      // A fresh store: the broken start may have left raft state that delays a leader.
      await rm(`${dir}/data`, { recursive: true, force: true });
    }
  };
  registerCleanup(kill);
  await start();

  const server: NacosServer = {
    httpPort,
    grpcPort,
    address: `127.0.0.1:${httpPort}`,
    register: async (spec) => void (await call('POST', 'v1/ns/instance', query(spec))),
    update: async (spec) => void (await call('PUT', 'v1/ns/instance', query(spec))),
    deregister: async (spec) => void (await call('DELETE', 'v1/ns/instance', query(spec))),
    async registerWithHeartbeats(spec, everyMs = 500) {
      await server.register({ ...spec, ephemeral: true });
      const params = query({ ...spec, ephemeral: true });
      const timer = setInterval(() => void call('PUT', 'v1/ns/instance/beat', params).catch(() => undefined), everyMs);
      const stop = (): void => clearInterval(timer);
      registerCleanup(stop);
      return { stop };
    },
    async registerOverGrpc(spec) {
      const connection = await NacosConnection.open({
        host: '127.0.0.1',
        port: grpcPort,
        namespace: spec.namespace ?? 'public',
        timeoutMs: 3000,
        clientVersion: 'ctmpl-test:1',
        token: async () => token,
        onServerRequest: () => undefined,
        onClose: () => undefined,
      });
      registerCleanup(() => connection.close());
      await connection.request('InstanceRequest', {
        module: 'naming',
        headers: {},
        namespace: spec.namespace ?? 'public',
        serviceName: spec.service,
        groupName: spec.group ?? 'DEFAULT_GROUP',
        type: 'registerInstance',
        instance: {
          ip: spec.ip,
          port: spec.port,
          weight: spec.weight ?? 1,
          healthy: true,
          enabled: spec.enabled ?? true,
          ephemeral: true,
          clusterName: spec.cluster ?? 'DEFAULT',
          metadata: spec.metadata ?? {},
        },
      });
      return { close: () => connection.close() };
    },
    async restart() {
      await kill();
      await start();
    },
    kill,
    start,
    output: () => output,
  };
  return server;
}
