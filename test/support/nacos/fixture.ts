import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseNacosUri, type NacosSettings } from '../../../src/registries/nacos/settings.js';
import { NacosSource } from '../../../src/registries/nacos/source.js';
import type { NacosTiming } from '../../../src/registries/nacos/transport.js';
import { freePort } from '../ports.js';
import { registerCleanup, tempDir } from '../tmp.js';
import { startFakeNacosGrpc, type FakeNacosGrpc } from './fake-grpc.js';
import { startFakeNacosHttp, type FakeNacosHttp } from './fake-http.js';
import { FakeNacosState } from './fake-state.js';
import { RecordingSink } from './sink.js';

/** Short timing for tests: keepalive 200 ms, no jitter, retries from 20 ms up to 200 ms, logins again after 100 ms. */
export const FAST: NacosTiming = { keepaliveMs: 200, grpcRetryMs: 300, backoff: { baseMs: 20, capMs: 200, jitter: 'none' }, loginRetryMs: 100 };

/** A source started on `uri` (a nacos:// URI without the scheme), stopped when the test ends. */
export async function startSource(rest: string, timing: NacosTiming = FAST, name = 'nacos'): Promise<{ source: NacosSource; sink: RecordingSink; settings: NacosSettings }> {
  const settings = parseNacosUri(rest, '/', 'test');
  const source = new NacosSource(name, settings, timing);
  const sink = new RecordingSink();
  registerCleanup(() => source.stop());
  await source.start(sink);
  return { source, sink, settings };
}

/** A port nothing listens on (taken and released by the OS just now). */
export const closedPort = freePort;

export interface FakeNacos {
  readonly state: FakeNacosState;
  readonly grpc: FakeNacosGrpc;
  readonly http: FakeNacosHttp;
  /** `//127.0.0.1:HTTP?grpc_port=GRPC&timeout=…` plus `extra` options (no grpc_port with transport=http). */
  uri(extra?: string): string;
}

/** A scripted fake Nacos: v1 HTTP and gRPC over one state, both stopped when the test ends. */
export async function startFakeNacos(): Promise<FakeNacos> {
  const state = new FakeNacosState();
  const grpc = await startFakeNacosGrpc(state);
  const http = await startFakeNacosHttp(state);
  return {
    state,
    grpc,
    http,
    uri: (extra = '') => {
      const grpcPort = extra.includes('transport=http') ? '' : `grpc_port=${grpc.port}&`;
      return `//${http.address}?${grpcPort}timeout=500ms&poll_interval=500ms${extra ? `&${extra}` : ''}`;
    },
  };
}

/** A password file holding `password`, in a temp dir removed when the test ends. */
export async function passwordFile(password: string): Promise<string> {
  const path = join(await tempDir('ctmpl-nacos-'), 'nacos.pw');
  await writeFile(path, `${password}\n`, { mode: 0o600 });
  return path;
}
