/**
 * The two Consul reads that take more than one request, as consul-template makes them:
 * `(node)` without a name asks the agent for its own node name first, and `(datacenters true)`
 * keeps only the datacenters that answer a consistent read. Types only from client.ts, so the
 * client can call these without an import cycle.
 */
import type { BlockingOptions, ConsulReply, ConsulRequest } from './client.js';
import type { ConsulHttp } from './http.js';

/** The reads these need: the client's own `read`. */
export type Read = (request: ConsulRequest, blocking: BlockingOptions, signal: AbortSignal) => Promise<ConsulReply>;

/** The agent answers /v1/agent/self from memory: this only ends a hung connection. */
const AGENT_TIMEOUT_MS = 30_000;

/**
 * The node name of the agent ctmpl talks to (`Config.NodeName` of /v1/agent/self, which is what
 * consul-template's `node` reads; the token needs agent:read). A reply without one is refused
 * through `fail` (the client's own error, so the watch reports and retries it like a failed read).
 */
export async function agentNodeName(http: Pick<ConsulHttp, 'request'>, signal: AbortSignal, fail: (message: string, status: number | undefined) => Error): Promise<string> {
  const answer = await http.request('GET', '/v1/agent/self', { timeoutMs: AGENT_TIMEOUT_MS, signal });
  if (answer.status === 403) throw fail("permission denied (HTTP 403) reading the agent's own node name: the token needs agent:read (or name the node)", 403);
  if (answer.status !== 200) throw fail(`HTTP ${answer.status} from /v1/agent/self reading the agent's own node name`, answer.status);
  let name: unknown;
  try {
    name = (JSON.parse(answer.body.toString('utf8')) as { Config?: { NodeName?: unknown } } | null)?.Config?.NodeName;
  } catch {
    name = undefined;
  }
  if (typeof name !== 'string' || name === '') throw fail('/v1/agent/self has no Config.NodeName (the agent\'s own node name)', undefined);
  return name;
}

/**
 * A datacenter fails when its consistent read of the service list cannot be answered: no route
 * to it, or no leader there (5xx). A 403 is an answer (the token may not list services there).
 */
function failing(err: unknown): boolean {
  const { status, aborted } = err as { status?: unknown; aborted?: unknown };
  if (aborted === true) throw err;
  return typeof status !== 'number' || status >= 500;
}

/**
 * `(datacenters true)`: the datacenter list, less the datacenters that cannot answer a consistent
 * read now (one request per datacenter, in parallel: consul-template's O(N+1) check). The reply
 * carries the list's own headers.
 */
export async function reachableDatacenters(read: Read, blocking: BlockingOptions, signal: AbortSignal): Promise<ConsulReply> {
  const list = await read({ kind: 'datacenters', ignoreFailing: false }, blocking, signal);
  const names: unknown = list.body;
  if (!Array.isArray(names)) return list;
  const dcs = names.filter((n): n is string => typeof n === 'string');
  const answers = await Promise.all(
    dcs.map((dc) =>
      read({ kind: 'services', dc }, { index: 0, waitMs: blocking.waitMs, mode: 'consistent' }, signal).then(
        () => true,
        (err: unknown) => !failing(err),
      ),
    ),
  );
  return { body: dcs.filter((_, i) => answers[i]), index: list.index, knownLeader: list.knownLeader, lastContactMs: list.lastContactMs, backend: list.backend };
}
