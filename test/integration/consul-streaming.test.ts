/**
 * Which backend a real Consul agent answers ctmpl's blocking health reads with (X-Consul-Query-
 * Backend), through a client agent joined to a server, as in production: streaming by default;
 * blocking queries, each an RPC to the servers, when the agent has streaming off — which the
 * client reports once, naming the fix.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ConsulClient, type ConsulRequest } from '../../src/registries/consul/client.js';
import type { ConsulSettings } from '../../src/registries/consul/settings.js';
import { startConsul, type ConsulAgent } from '../support/consul.js';
import { startClientAgent } from '../support/consul-client-agent.js';
import { field, LEVEL, NO_CONSUL_ENV, readIfExists, startCtmpl } from '../support/ctmpl.js';
import { freePort } from '../support/ports.js';
import { registerCleanup, tempDir } from '../support/tmp.js';

function clientOf(address: string, fellBack?: (message: string) => void): ConsulClient {
  const settings = {
    address,
    scheme: 'http',
    token: undefined,
    tokenFile: undefined,
    auth: undefined,
    tls: { caCert: undefined, caPath: undefined, clientCert: undefined, clientKey: undefined, serverName: undefined, verify: true },
    blockWaitMs: 1000,
    maxStaleMs: 2000,
    consistent: false,
    cached: false,
    minIntervalMs: 0,
    retry: { enabled: true, attempts: 12 },
  } as ConsulSettings;
  const client = new ConsulClient(settings, undefined, fellBack ? { fellBack } : {});
  registerCleanup(() => client.destroy());
  return client;
}

const WEB: ConsulRequest = { kind: 'health', service: 'web', passingOnly: true };

/** A watch's first two reads: the non-blocking one, then a blocking one with the index it gave (it ends after the 1 s wait). */
async function firstTwoReads(client: ConsulClient): Promise<{ first: string | undefined; blocking: string | undefined }> {
  const first = await client.read(WEB, { index: 0, waitMs: 1000, mode: 'stale' }, new AbortController().signal);
  const blocking = await client.read(WEB, { index: first.index ?? 1, waitMs: 1000, mode: 'stale' }, new AbortController().signal);
  return { first: first.backend, blocking: blocking.backend };
}

async function serverWithWeb(): Promise<ConsulAgent> {
  const server = await startConsul();
  await server.api('PUT', '/v1/catalog/register', { Node: 'web-node', Address: '10.0.0.1', Service: { ID: 'web-1', Service: 'web', Address: '10.0.0.1', Port: 80 } });
  return server;
}

describe('Consul query backends through a client agent', () => {
  test('streaming (the default): blocking reads are streamed, nothing is reported, the agent is a client', async () => {
    const server = await serverWithWeb();
    const agent = await startClientAgent(server, {});
    const reports: string[] = [];
    const client = clientOf(agent.address, (m) => reports.push(m));
    expect(await firstTwoReads(client)).toEqual({ first: 'blocking-query', blocking: 'streaming' });
    expect(client.backends.counts()).toEqual({ streaming: 1, 'blocking-query': 0 });
    expect(await client.agentRole()).toBe('client');
    expect(reports).toEqual([]);
  });

  test('streaming off in the agent: blocking reads are blocking queries, reported once with the fix', async () => {
    const server = await serverWithWeb();
    const agent = await startClientAgent(server, { use_streaming_backend: false });
    const reports: string[] = [];
    const client = clientOf(agent.address, (m) => reports.push(m));
    expect(await firstTwoReads(client)).toEqual({ first: 'blocking-query', blocking: 'blocking-query' });
    await firstTwoReads(client);
    expect(client.backends.counts()).toEqual({ streaming: 0, 'blocking-query': 1 });
    await expect.poll(() => reports).toHaveLength(1);
    expect(reports[0]).toMatch(/through this client agent, every answer of every watch costs the servers an RPC; turn use_streaming_backend on/);
  });

  test('against a server agent a fallback is not reported (it answers from its own state)', async () => {
    const server = await startConsul({ config: { use_streaming_backend: false } });
    await server.api('PUT', '/v1/catalog/register', { Node: 'web-node', Address: '10.0.0.1', Service: { ID: 'web-1', Service: 'web', Address: '10.0.0.1', Port: 80 } });
    const reports: string[] = [];
    const client = clientOf(server.address, (m) => reports.push(m));
    expect((await firstTwoReads(client)).blocking).toBe('blocking-query');
    // The report waits for the same answer: by now it would have been made.
    expect(await client.agentRole()).toBe('server');
    expect(reports).toEqual([]);
  });
});

/** The daemon's view: the warning in its log and the ctmpl_consul_watches gauge, per backend. */
describe('ctmpl through a client agent', () => {
  async function watchesBackends(useStreaming: boolean): Promise<{ warnings: () => string[]; gauge: string[] }> {
    const server = await serverWithWeb();
    const agent = await startClientAgent(server, { use_streaming_backend: useStreaming });
    const dir = await tempDir();
    const template = join(dir, 'web.hbs');
    const out = join(dir, 'web.conf');
    await writeFile(template, '{{#each (service "web")}}server {{Address}}:{{Port}};\n{{/each}}');
    const port = await freePort();
    const daemon = startCtmpl(['--consul-addr', agent.address, '-t', `${template}:${out}`, '--wait', '0', '--listen', `127.0.0.1:${port}`], { cwd: dir, env: NO_CONSUL_ENV });
    await daemon.waitFor(async () => (await readIfExists(out)) === 'server 10.0.0.1:80;\n', { what: 'the first render' });
    // A blocking read (with the index of the first answer) says which backend serves the watch; a
    // change makes it answer now rather than at the end of its wait.
    await server.api('PUT', '/v1/catalog/register', { Node: 'web-node-2', Address: '10.0.0.2', Service: { ID: 'web-2', Service: 'web', Address: '10.0.0.2', Port: 80 } });
    await daemon.waitFor(async () => (await readIfExists(out))?.includes('10.0.0.2') === true, { what: 'the change rendered' });
    const gauge = await daemon.waitFor(async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const lines = text.split('\n').filter((l) => l.startsWith('ctmpl_consul_watches{') && !l.endsWith(' 0'));
      return lines.length > 0 ? lines : undefined;
    }, { what: 'a watch counted by backend' });
    const warnings = (): string[] => daemon.logs().filter((l) => l.level === LEVEL.warn).map((l) => field(l, 'msg'));
    return { warnings, gauge };
  }

  test('streaming on: the watch is counted as streaming, no warning', async () => {
    const { warnings, gauge } = await watchesBackends(true);
    expect(gauge).toEqual(['ctmpl_consul_watches{source="consul",backend="streaming"} 1']);
    expect(warnings().filter((w) => /streaming/.test(w))).toEqual([]);
  });

  test('streaming off: the watch is counted as a blocking query and the log says what to turn on', async () => {
    const { gauge, warnings } = await watchesBackends(false);
    expect(gauge).toEqual(['ctmpl_consul_watches{source="consul",backend="blocking-query"} 1']);
    await expect.poll(() => warnings().filter((w) => /use_streaming_backend/.test(w))).toHaveLength(1);
  });
});
