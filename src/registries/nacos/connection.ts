import { networkInterfaces } from 'node:os';
import { Client, credentials, Metadata, status, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { joinHostPort } from '../../util/address.js';
import { checkResponse, NacosResponseError, requests, UNREGISTERED } from './messages.js';
import { decodeMessage, encodeMessage, nacosGrpc, type NacosMessage, type WirePayload } from './proto.js';

/** The gRPC call failed (no answer, deadline, stream gone): `connectionLost` when the connection itself is unusable. */
export class NacosGrpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'NacosGrpcError';
  }

  get connectionLost(): boolean {
    return this.code === status.UNAVAILABLE || this.code === status.CANCELLED || this.code === status.UNIMPLEMENTED;
  }
}

export interface ConnectionOptions {
  readonly host: string;
  readonly port: number;
  /** Namespace, announced in the connection setup (`tenant`). */
  readonly namespace: string;
  readonly timeoutMs: number;
  readonly clientVersion: string;
  /** The accessToken for requests that need one (undefined without authentication). */
  readonly token: () => Promise<string | undefined>;
  /** A request the server sent on the bi-stream (a push, a detection, a reset). */
  readonly onServerRequest: (message: NacosMessage, connection: NacosConnection) => void;
  /** The bi-stream ended or failed; called once, not after close(). */
  readonly onClose: (err: Error) => void;
}

/** Biggest message accepted: a large service's instance list can pass gRPC's 4 MiB default. */
const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
/** Time between two checks whether the server has registered the new connection. */
const SETUP_POLL_MS = 25;

/** This host's first non-internal IPv4 address, as Nacos clients report it (`Metadata.clientIp`). */
function localIp(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

/**
 * One connection to a Nacos 2.x server over its gRPC port, as its own clients make it: a
 * `ServerCheckRequest` (unary), then the bi-stream whose first message is a
 * `ConnectionSetupRequest`, and only then other requests (the server refuses them with 301 until
 * the stream is registered, which is polled for, with the deadline `timeoutMs`). Unary requests
 * and the stream share one HTTP/2 connection: the server knows the client by it.
 */
export class NacosConnection {
  private closed = false;
  private nextRequestId = 1;
  private readonly clientIp = localIp();
  private readonly client: Client;
  private stream: ClientDuplexStream<WirePayload, WirePayload> | undefined;
  /** The server's id for this connection (from ServerCheckResponse), for logs. */
  connectionId = '';

  private constructor(private readonly options: ConnectionOptions) {
    this.client = new Client(joinHostPort(options.host, options.port), credentials.createInsecure(), {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      // Nacos knows a client by its TCP connection: two sources (or a source and a probe) in one
      // process must not share one, as grpc-js's global subchannel pool would have them do.
      'grpc.use_local_subchannel_pool': 1,
      // Fail fast when the server is down: reconnecting is the transport's job, with its backoff.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 1000,
    });
  }

  /** Connects and sets the connection up; throws (and cleans up) when the server does not answer as Nacos 2.x. */
  static async open(options: ConnectionOptions): Promise<NacosConnection> {
    const connection = new NacosConnection(options);
    try {
      await connection.setUp();
      return connection;
    } catch (err) {
      connection.close();
      throw err;
    }
  }

  /**
   * Whether a Nacos 2.x server answers a ServerCheckRequest at host:port (how `transport=auto`
   * tells a gRPC-capable server from one that is not); throws with the reason when it does not.
   */
  static async check(host: string, port: number, timeoutMs: number): Promise<void> {
    const connection = new NacosConnection({ host, port, namespace: '', timeoutMs, clientVersion: '', token: async () => undefined, onServerRequest: () => undefined, onClose: () => undefined });
    try {
      const answer = decodeMessage(await connection.unary(encodeMessage('ServerCheckRequest', requests.serverCheck(), {}, connection.clientIp), timeoutMs));
      checkResponse(answer.type, answer.body);
    } finally {
      connection.close();
    }
  }

  get address(): string {
    return joinHostPort(this.options.host, this.options.port);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Sends a request and returns the response body; throws NacosResponseError when Nacos answers
   * with an error, NacosGrpcError when no answer came.
   */
  async request(type: string, body: object, options: { auth?: boolean; timeoutMs?: number } = {}): Promise<unknown> {
    const token = options.auth === false ? undefined : await this.options.token();
    const headers: Record<string, string> = token === undefined ? {} : { accessToken: token };
    const payload = encodeMessage(type, { ...body, requestId: String(this.nextRequestId++) }, headers, this.clientIp);
    const answer = await this.unary(payload, options.timeoutMs ?? this.options.timeoutMs);
    const message = decodeMessage(answer);
    checkResponse(message.type, message.body);
    return message.body;
  }

  /** Answers a request the server sent on the bi-stream; resolves once the answer is handed to HTTP/2. */
  respond(type: string, body: object): Promise<void> {
    const stream = this.stream;
    if (this.closed || !stream) return Promise.resolve();
    return new Promise((resolve) => stream.write(encodeMessage(type, body, {}, this.clientIp), () => resolve()));
  }

  /** Ends the stream and the HTTP/2 connection; onClose is not called. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream?.cancel();
    this.client.close();
  }

  private async setUp(): Promise<void> {
    const check = decodeMessage(await this.unary(encodeMessage('ServerCheckRequest', requests.serverCheck(), {}, this.clientIp), this.options.timeoutMs));
    checkResponse(check.type, check.body);
    const id = (check.body as { connectionId?: unknown }).connectionId;
    this.connectionId = typeof id === 'string' ? id : '';
    this.openStream();
    const deadline = Date.now() + this.options.timeoutMs;
    for (;;) {
      try {
        await this.request('HealthCheckRequest', requests.healthCheck(), { auth: false, timeoutMs: Math.max(1, deadline - Date.now()) });
        return;
      } catch (err) {
        if (!(err instanceof NacosResponseError && err.code === UNREGISTERED) || Date.now() >= deadline) throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, SETUP_POLL_MS));
      if (this.closed) throw new NacosGrpcError(status.CANCELLED, 'the connection closed during setup');
    }
  }

  private openStream(): void {
    const { biStream } = nacosGrpc();
    const stream = this.client.makeBidiStreamRequest(biStream.path, biStream.requestSerialize, biStream.responseDeserialize, new Metadata());
    this.stream = stream;
    let ended = false;
    const end = (err: Error): void => {
      if (ended) return;
      ended = true;
      if (this.closed) return;
      this.close();
      this.options.onClose(err);
    };
    stream.on('data', (payload: WirePayload) => {
      let message: NacosMessage;
      try {
        message = decodeMessage(payload);
      } catch (err) {
        end(err instanceof Error ? err : new Error(String(err)));
        return;
      }
      this.options.onServerRequest(message, this);
    });
    stream.on('error', (err: ServiceError) => end(new NacosGrpcError(err.code ?? status.UNKNOWN, `the Nacos stream failed (${err.details || err.message})`)));
    stream.on('end', () => end(new NacosGrpcError(status.UNAVAILABLE, 'Nacos closed the stream')));
    stream.write(encodeMessage('ConnectionSetupRequest', requests.connectionSetup(this.options.namespace, this.options.clientVersion), {}, this.clientIp));
  }

  private unary(payload: WirePayload, timeoutMs: number): Promise<WirePayload> {
    const { request } = nacosGrpc();
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new NacosGrpcError(status.CANCELLED, 'the connection is closed'));
        return;
      }
      this.client.makeUnaryRequest(
        request.path,
        request.requestSerialize,
        request.responseDeserialize,
        payload,
        new Metadata(),
        { deadline: Date.now() + timeoutMs },
        (err, answer) => {
          if (err) reject(new NacosGrpcError(err.code, err.code === status.DEADLINE_EXCEEDED ? `no answer within ${timeoutMs} ms` : err.details || err.message));
          else if (!answer) reject(new NacosGrpcError(status.INTERNAL, 'an empty answer'));
          else resolve(answer);
        },
      );
    });
  }
}
