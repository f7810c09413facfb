/**
 * A scripted fake of Nacos 2.x's gRPC side (@grpc/grpc-js, on a free loopback port), for what a
 * real server will not do on demand: a subscribe that is slow, never answered or refused; health
 * checks left unanswered; a connection registered late (301 until then); ConnectResetRequest and
 * ClientDetectionRequest; stale or malformed pushes; streams dropped; the server gone and back on the same port.
 *
 *   const fake = await startFakeNacosGrpc(state);     // stopped when the test or file ends
 *   state.set('DEFAULT_GROUP@@web', [{ ip: '10.0.0.1', port: 80 }]);   // pushed to subscribers
 *   fake.script.subscribeNever.add('DEFAULT_GROUP@@slow');
 *   await fake.stop(); await fake.start();            // a restart, same port
 */
import { Server, ServerCredentials, type sendUnaryData, type ServerDuplexStream, type ServerUnaryCall, type ServiceDefinition } from '@grpc/grpc-js';
import { decodeMessage, encodeMessage, nacosGrpc, type WirePayload } from '../../../src/registries/nacos/proto.js';
import { freePort } from '../ports.js';
import { registerCleanup } from '../tmp.js';
import type { FakeNacosState } from './fake-state.js';

type Stream = ServerDuplexStream<WirePayload, WirePayload>;

export interface FakeGrpcScript {
  /** Subscribes to these services are answered after this delay. */
  readonly subscribeDelayMs: Map<string, number>;
  /** Subscribes to these services are never answered (the client's deadline passes). */
  readonly subscribeNever: Set<string>;
  /** Subscribes to these services are refused with this errorCode and message. */
  readonly subscribeError: Map<string, { code: number; message: string }>;
  /** Health checks get no answer. */
  healthCheckSilent: boolean;
  /** The connection is registered this long after its ConnectionSetupRequest (301 until then). */
  registrationDelayMs: number;
}

export interface FakeNacosGrpc {
  readonly port: number;
  readonly script: FakeGrpcScript;
  /** Request types received (unary and on streams), in order. */
  readonly received: string[];
  /** Grouped names of every SubscribeServiceRequest with subscribe=true. */
  readonly subscribes: string[];
  /** Bi-streams opened so far. */
  streams(): number;
  /** Streams open and registered right now. */
  liveStreams(): number;
  /** Pushes `info` (any ServiceInfo, even an out-of-date or malformed one) to the subscribers of `grouped`. */
  pushInfo(grouped: string, info: object): void;
  /** Sends a request to every live stream (ConnectResetRequest, ClientDetectionRequest…). */
  sendToAll(type: string): void;
  /** Ends every stream from the server side (the connections stay). */
  dropStreams(): void;
  stop(): Promise<void>;
  start(): Promise<void>;
}

interface Connection {
  readonly stream: Stream;
  registered: boolean;
  readonly subscribed: Set<string>;
}

export async function startFakeNacosGrpc(state: FakeNacosState, fixedPort?: number): Promise<FakeNacosGrpc> {
  const port = fixedPort ?? (await freePort());
  const { definition } = nacosGrpc();
  const script: FakeGrpcScript = { subscribeDelayMs: new Map(), subscribeNever: new Set(), subscribeError: new Map(), healthCheckSilent: false, registrationDelayMs: 0 };
  const received: string[] = [];
  const subscribes: string[] = [];
  const connections = new Map<string, Connection>();
  let streamCount = 0;
  let server: Server | undefined;
  let requestId = 0;

  const push = (connection: Connection, info: object): void => {
    connection.stream.write(encodeMessage('NotifySubscriberRequest', { requestId: String(++requestId), module: 'naming', headers: {}, serviceInfo: info }));
  };
  const unsubscribe = state.onChange((grouped) => {
    for (const c of connections.values()) if (c.registered && c.subscribed.has(grouped)) push(c, state.serviceInfo(grouped));
  });

  const answer = (callback: sendUnaryData<WirePayload>, type: string, body: object): void => callback(null, encodeMessage(type, { resultCode: 200, errorCode: 0, ...body }));
  const error = (callback: sendUnaryData<WirePayload>, code: number, message: string): void =>
    callback(null, encodeMessage('ErrorResponse', { resultCode: 500, errorCode: code, message }));

  const request = (call: ServerUnaryCall<WirePayload, WirePayload>, callback: sendUnaryData<WirePayload>): void => {
    const message = decodeMessage(call.request);
    const body = message.body as Record<string, unknown>;
    received.push(message.type);
    const connection = connections.get(call.getPeer());
    if (message.type === 'ServerCheckRequest') return answer(callback, 'ServerCheckResponse', { connectionId: call.getPeer() });
    if (!connection?.registered) return error(callback, 301, 'Connection is unregistered.');
    if (message.type === 'HealthCheckRequest') {
      if (!script.healthCheckSilent) answer(callback, 'HealthCheckResponse', {});
      return;
    }
    if (!state.allowed(message.headers.accessToken)) return error(callback, 403, 'unknown user!');
    const grouped = `${String(body.groupName)}@@${String(body.serviceName)}`;
    if (message.type === 'SubscribeServiceRequest') {
      if (body.subscribe !== true) {
        connection.subscribed.delete(grouped);
        return answer(callback, 'SubscribeServiceResponse', { serviceInfo: state.serviceInfo(grouped) });
      }
      subscribes.push(grouped);
      if (script.subscribeNever.has(grouped)) return;
      const refused = script.subscribeError.get(grouped);
      if (refused) return error(callback, refused.code, refused.message);
      connection.subscribed.add(grouped);
      const reply = (): void => answer(callback, 'SubscribeServiceResponse', { serviceInfo: state.serviceInfo(grouped) });
      const delay = script.subscribeDelayMs.get(grouped);
      if (delay === undefined) reply();
      else setTimeout(reply, delay);
      return;
    }
    if (message.type === 'ServiceListRequest') {
      const names = state.names(String(body.groupName));
      const size = Number(body.pageSize);
      const from = (Number(body.pageNo) - 1) * size;
      return answer(callback, 'ServiceListResponse', { count: names.length, serviceNames: names.slice(from, from + size) });
    }
    error(callback, 302, `${message.type} RequestHandler Not Found`);
  };

  const biStream = (stream: Stream): void => {
    streamCount += 1;
    const peer = stream.getPeer();
    const connection: Connection = { stream, registered: false, subscribed: new Set() };
    connections.set(peer, connection);
    stream.on('data', (payload: WirePayload) => {
      const message = decodeMessage(payload);
      received.push(message.type);
      if (message.type === 'ConnectionSetupRequest') setTimeout(() => (connection.registered = true), script.registrationDelayMs);
    });
    const gone = (): void => {
      if (connections.get(peer) === connection) connections.delete(peer);
    };
    stream.on('end', () => {
      gone();
      stream.end();
    });
    stream.on('error', gone);
    stream.on('cancelled', gone);
  };

  const fake: FakeNacosGrpc = {
    port,
    script,
    received,
    subscribes,
    streams: () => streamCount,
    liveStreams: () => [...connections.values()].filter((c) => c.registered).length,
    pushInfo(grouped, info) {
      for (const c of connections.values()) if (c.registered && c.subscribed.has(grouped)) push(c, info);
    },
    sendToAll(type) {
      for (const c of connections.values()) if (c.registered) c.stream.write(encodeMessage(type, { requestId: String(++requestId), module: 'internal', headers: {} }));
    },
    dropStreams() {
      for (const c of [...connections.values()]) c.stream.end();
      connections.clear();
    },
    async stop() {
      const s = server;
      server = undefined;
      connections.clear();
      s?.forceShutdown();
    },
    async start() {
      const s = new Server();
      s.addService(definition.Request as ServiceDefinition, { request });
      s.addService(definition.BiRequestStream as ServiceDefinition, { requestBiStream: biStream });
      await new Promise<void>((resolve, reject) => s.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())));
      server = s;
    },
  };
  registerCleanup(async () => {
    unsubscribe();
    await fake.stop();
  });
  await fake.start();
  return fake;
}
