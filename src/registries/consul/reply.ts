import type { QueryBackend } from './backend.js';
import type { ConsulHeaders } from './http.js';
import { ConsulRequestError, type ConsulRequest } from './request.js';

export interface ConsulReply {
  /**
   * Decoded JSON body; undefined for a 404 on a key (the key does not exist). Decoded when first
   * read: a blocking query that timed out with its index unchanged is never decoded. Throws
   * ConsulRequestError when the body is not JSON.
   */
  readonly body: unknown;
  readonly index: number | undefined;
  readonly knownLeader: boolean;
  /** Milliseconds since the answering server last heard from the leader (stale reads). */
  readonly lastContactMs: number;
  /** Which backend of the agent answered a health read (X-Consul-Query-Backend), when it said. */
  readonly backend: QueryBackend | undefined;
}

/** The consul client's KV reading: Values decoded from base64; a missing key or an empty list reads as undefined. */
function kvBody(request: ConsulRequest, parsed: unknown): unknown {
  if (!Array.isArray(parsed) || parsed.length === 0) return undefined;
  for (const item of parsed as Record<string, unknown>[]) {
    if (item && typeof item === 'object' && typeof item.Value === 'string') item.Value = Buffer.from(item.Value, 'base64').toString('utf8');
  }
  return request.kind === 'keys' ? parsed : parsed[0];
}

export function decodeJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    throw new ConsulRequestError('Consul sent a reply that is not valid JSON (truncated?)', undefined);
  }
}

/**
 * A reply whose body is decoded when first read (the raw bytes are let go of then), and released
 * when the next read of the same request starts: a watch keeps its last reply while it waits in
 * the next blocking query (for minutes), and the decoded JSON — a second copy of everything the
 * feed keeps in normalized form — must not stay alive for that long.
 */
export class Reply implements ConsulReply {
  readonly index: number | undefined;
  readonly knownLeader: boolean;
  readonly lastContactMs: number;
  readonly backend: QueryBackend | undefined;
  private raw: Buffer | undefined;
  private decoded: unknown;
  private released = false;

  constructor(
    private readonly request: ConsulRequest,
    status: number,
    headers: ConsulHeaders,
    raw: Buffer,
  ) {
    const index = headers.index === undefined ? Number.NaN : Number(headers.index);
    this.index = Number.isNaN(index) ? undefined : index;
    this.knownLeader = headers.knownLeader !== 'false';
    this.lastContactMs = Number(headers.lastContact ?? 0) || 0;
    this.backend = headers.queryBackend === 'streaming' || headers.queryBackend === 'blocking-query' ? headers.queryBackend : undefined;
    this.raw = status === 404 ? undefined : raw;
  }

  get body(): unknown {
    if (this.released) throw new Error(`ConsulClient: the body of a reply to ${this.request.kind} was read after the next read of the same request started`);
    const raw = this.raw;
    if (raw === undefined) return this.decoded;
    const parsed = raw.length === 0 ? undefined : decodeJson(raw);
    this.raw = undefined;
    const kind = this.request.kind;
    this.decoded = kind === 'key' || kind === 'entry' || kind === 'keys' ? kvBody(this.request, parsed) : parsed;
    return this.decoded;
  }

  /** Whether the (undecoded) body is an empty list or object: Consul's way of saying "nothing", told without decoding. */
  get empty(): boolean {
    if (this.raw === undefined) {
      const body = this.body;
      return body === undefined || (Array.isArray(body) ? body.length === 0 : typeof body === 'object' && body !== null && Object.keys(body).length === 0);
    }
    const text = this.raw.toString('utf8').trim();
    return text === '' || text === 'null' || /^\[\s*\]$/.test(text) || /^\{\s*\}$/.test(text);
  }

  release(): void {
    this.released = true;
    this.raw = undefined;
    this.decoded = undefined;
  }
}
