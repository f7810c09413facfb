/** X-Consul-Query-Backend: how a Consul agent answered a blocking health read. */
export type QueryBackend = 'streaming' | 'blocking-query';

/** The health reads QueryBackends follows (the fields that decide whether Consul can stream). */
export interface HealthRead {
  readonly kind: 'health';
  readonly service: string;
  readonly near?: string;
}

export type AgentRole = 'server' | 'client' | undefined;

/**
 * Which backend answers each watched health query. Since Consul 1.10 an agent serves blocking
 * health reads from a streaming subscription to the servers: one subscription per query, and the
 * servers push changes. Without it (streaming turned off, or an option Consul cannot stream such
 * as `near`) every answer of every watch is one RPC to the servers: through a client agent with
 * a hundred watches, thousands of RPCs for tens of changes. The counts feed a metric; the first
 * fallback through a client agent is reported (once per cause), with what to do about it.
 */
export class QueryBackends {
  private readonly latest = new Map<HealthRead, QueryBackend>();
  private readonly tally: Record<QueryBackend, number> = { streaming: 0, 'blocking-query': 0 };
  private readonly reported = new Set<'near' | 'agent'>();

  constructor(
    /** Asked once, at the first fallback: only a client agent turns blocking reads into server RPCs. */
    private readonly role: () => Promise<AgentRole>,
    private readonly fellBack?: (message: string, request: HealthRead) => void,
  ) {}

  /** Records the backend of a blocking (index > 0) health read's answer. */
  record(request: HealthRead, backend: QueryBackend | undefined): void {
    if (backend === undefined) return; // an agent older than 1.10 does not say
    const before = this.latest.get(request);
    if (before === backend) return;
    if (before !== undefined) this.tally[before] -= 1;
    this.tally[backend] += 1;
    this.latest.set(request, backend);
    if (backend === 'blocking-query') void this.report(request);
  }

  /** A query no longer watched. */
  forget(request: HealthRead): void {
    const before = this.latest.get(request);
    if (before === undefined) return;
    this.tally[before] -= 1;
    this.latest.delete(request);
  }

  /** Watched health queries by the backend of their latest blocking answer. */
  counts(): Readonly<Record<QueryBackend, number>> {
    return { ...this.tally };
  }

  /** The backend of a query's latest blocking answer. */
  backendOf(request: HealthRead): QueryBackend | undefined {
    return this.latest.get(request);
  }

  private async report(request: HealthRead): Promise<void> {
    const cause = request.near !== undefined && request.near !== '' ? 'near' : 'agent';
    if (this.reported.has(cause) || !this.fellBack) return;
    this.reported.add(cause);
    const role = await this.role();
    // A server answers from its own state: no other server does any work for it.
    if (role === 'server') return;
    const where = role === 'client' ? 'through this client agent' : 'if this is a client agent';
    const message =
      cause === 'near'
        ? `Consul cannot stream health queries with near= ("${request.service}" and any other query with near): ${where}, every answer costs the servers an RPC; drop near= where the order does not matter`
        : `Consul answers blocking health queries without streaming (first seen for "${request.service}"): ${where}, every answer of every watch costs the servers an RPC; turn use_streaming_backend on in the agent (default since Consul 1.10) and rpc.enable_streaming on the servers`;
    this.fellBack(message, request);
  }
}
