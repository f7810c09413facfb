import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConsulClient, ConsulRequestError, type BlockingOptions, type ConsulReply, type ConsulRequest } from '../../../../src/registries/consul/client.js';
import type { ConsulHeaders, HttpReply } from '../../../../src/registries/consul/http.js';
import { agentNodeName, reachableDatacenters } from '../../../../src/registries/consul/node-reads.js';
import { resolveConsulSettings } from '../../../../src/registries/consul/settings.js';
import { registerCleanup } from '../../../support/tmp.js';

const HEADERS: ConsulHeaders = { index: undefined, knownLeader: undefined, lastContact: undefined, queryBackend: undefined, filteredByAcls: undefined, defaultAclPolicy: undefined, contentType: undefined };
const reply = (status: number, body: unknown): HttpReply => ({ status, headers: HEADERS, body: Buffer.from(JSON.stringify(body)) });
const http = (answer: HttpReply) => ({ request: async () => answer });
const fail = (message: string, status: number | undefined): Error => new ConsulRequestError(message, status);
const BLOCKING: BlockingOptions = { index: 7, waitMs: 60_000, mode: 'stale' };
const signal = new AbortController().signal;

describe("the agent's own node name", () => {
  it('is Config.NodeName of /v1/agent/self', async () => {
    await expect(agentNodeName(http(reply(200, { Config: { NodeName: 'agent-1' } })), signal, fail)).resolves.toBe('agent-1');
  });

  it('is refused as a permission error when the token may not read the agent, naming agent:read', async () => {
    const err = await agentNodeName(http(reply(403, 'denied')), signal, fail).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulRequestError);
    expect(err).toMatchObject({ status: 403, message: expect.stringContaining('agent:read') });
  });

  it('is refused when the answer has none (so the watch retries instead of reading a wrong node)', async () => {
    await expect(agentNodeName(http(reply(200, { Config: {} })), signal, fail)).rejects.toThrow(/no Config.NodeName/);
    await expect(agentNodeName(http(reply(500, 'oops')), signal, fail)).rejects.toMatchObject({ status: 500 });
  });
});

describe('reachable datacenters (datacenters true)', () => {
  const answers = (failures: Readonly<Record<string, ConsulRequestError>>) => {
    const asked: { request: ConsulRequest; blocking: BlockingOptions }[] = [];
    const read = async (request: ConsulRequest, blocking: BlockingOptions): Promise<ConsulReply> => {
      asked.push({ request, blocking });
      const base = { index: 3, knownLeader: true, lastContactMs: 0, backend: undefined };
      if (request.kind === 'datacenters') return { ...base, body: ['dc1', 'dc2', 'dc3'] };
      const failure = request.kind === 'services' && request.dc !== undefined ? failures[request.dc] : undefined;
      if (failure) throw failure;
      return { ...base, body: {} };
    };
    return { asked, read };
  };

  it('leaves out a datacenter that cannot answer a consistent read (no route, no leader), keeps one that refuses the token', async () => {
    const { asked, read } = answers({ dc2: new ConsulRequestError('HTTP 500: No path to datacenter', 500), dc3: new ConsulRequestError('permission denied', 403) });
    const result = await reachableDatacenters(read, BLOCKING, signal);
    expect(result.body).toEqual(['dc1', 'dc3']);
    expect(result.index).toBe(3);
    expect(asked.filter((a) => a.request.kind === 'services').map((a) => [a.request, a.blocking.mode, a.blocking.index])).toEqual([
      [{ kind: 'services', dc: 'dc1' }, 'consistent', 0],
      [{ kind: 'services', dc: 'dc2' }, 'consistent', 0],
      [{ kind: 'services', dc: 'dc3' }, 'consistent', 0],
    ]);
  });

  it('ends when the watch is stopped, instead of reading the stop as a failing datacenter', async () => {
    const { read } = answers({ dc2: new ConsulRequestError('request aborted', undefined, true) });
    await expect(reachableDatacenters(read, BLOCKING, signal)).rejects.toMatchObject({ aborted: true });
  });
});

/** A Consul stand-in answering the node endpoints, recording each request's path. */
async function nodeConsul(): Promise<{ address: string; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    paths.push(`${url.pathname}${url.searchParams.get('near') ? `?near=${url.searchParams.get('near')}` : ''}${url.searchParams.get('dc') ? `?dc=${url.searchParams.get('dc')}` : ''}`);
    const send = (status: number, body: unknown, index?: number): void => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...(index ? { 'X-Consul-Index': String(index) } : {}) });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/v1/agent/self') return send(200, { Config: { NodeName: 'agent-1' } });
    if (url.pathname === '/v1/catalog/node/agent-1') return send(200, { Node: { Node: 'agent-1' }, Services: {} }, 5);
    if (url.pathname === '/v1/catalog/nodes') return send(200, [], 6);
    if (url.pathname === '/v1/catalog/datacenters') return send(200, ['dc1', 'dc2']);
    if (url.pathname === '/v1/catalog/services') return url.searchParams.get('dc') === 'dc2' ? send(500, 'No path to datacenter') : send(200, {}, 4);
    send(404, null);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  registerCleanup(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { address: `127.0.0.1:${(server.address() as AddressInfo).port}`, paths };
}

describe('the Consul client reads nodes and datacenters', () => {
  it("reads (node) as the agent's node, asking its name once", async () => {
    const consul = await nodeConsul();
    const client = new ConsulClient(resolveConsulSettings({ address: consul.address }, {}), undefined);
    registerCleanup(() => client.destroy());
    const request: ConsulRequest = { kind: 'node' };
    expect((await client.read(request, { index: 0, waitMs: 1000, mode: 'default' }, signal)).body).toEqual({ Node: { Node: 'agent-1' }, Services: {} });
    await client.read(request, { index: 0, waitMs: 1000, mode: 'default' }, signal);
    expect(consul.paths).toEqual(['/v1/agent/self', '/v1/catalog/node/agent-1', '/v1/catalog/node/agent-1']);
  });

  it('sends near= for nodes, and asks each datacenter for (datacenters true)', async () => {
    const consul = await nodeConsul();
    const client = new ConsulClient(resolveConsulSettings({ address: consul.address }, {}), undefined);
    registerCleanup(() => client.destroy());
    await client.read({ kind: 'nodes', near: '_agent' }, { index: 0, waitMs: 1000, mode: 'default' }, signal);
    const reachable = await client.read({ kind: 'datacenters', ignoreFailing: true }, { index: 0, waitMs: 1000, mode: 'default' }, signal);
    expect(reachable.body).toEqual(['dc1']);
    // The datacenters are asked in parallel: in any order.
    expect(consul.paths.slice(0, 2)).toEqual(['/v1/catalog/nodes?near=_agent', '/v1/catalog/datacenters']);
    expect(consul.paths.slice(2).sort()).toEqual(['/v1/catalog/services?dc=dc1', '/v1/catalog/services?dc=dc2']);
  });
});
