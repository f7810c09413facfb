import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { fromJSON, type PackageDefinition } from '@grpc/proto-loader';

/**
 * Nacos 2.x's one gRPC protocol (its `nacos_grpc_service.proto`), written here as protobufjs JSON
 * so it ships inside the compiled JavaScript. As a .proto file it reads:
 *
 *   syntax = "proto3";
 *   message Any { string type_url = 1; bytes value = 2; }   // wire-compatible with google.protobuf.Any
 *   message Metadata { string type = 3; string clientIp = 8; map<string, string> headers = 7; }
 *   message Payload { Metadata metadata = 2; Any body = 3; }
 *   service Request { rpc request (Payload) returns (Payload); }
 *   service BiRequestStream { rpc requestBiStream (stream Payload) returns (stream Payload); }
 *
 * `Metadata.type` names the request or response class (`SubscribeServiceRequest`); the body's
 * `value` is that class as JSON (Nacos leaves `type_url` empty). Auth tokens travel in
 * `Metadata.headers` (`accessToken`). Our own `Any` spares the google/protobuf imports.
 */
/** `map<string, string> headers = 7` (protobufjs's IMapField; declared apart, as IField does not name keyType). */
const HEADERS_MAP = { keyType: 'string', type: 'string', id: 7 };

const NACOS_PROTO: Parameters<typeof fromJSON>[0] = {
  nested: {
    Any: { fields: { type_url: { type: 'string', id: 1 }, value: { type: 'bytes', id: 2 } } },
    Metadata: {
      fields: {
        type: { type: 'string', id: 3 },
        clientIp: { type: 'string', id: 8 },
        headers: HEADERS_MAP,
      },
    },
    Payload: { fields: { metadata: { type: 'Metadata', id: 2 }, body: { type: 'Any', id: 3 } } },
    Request: { methods: { request: { requestType: 'Payload', responseType: 'Payload', comment: '' } } },
    BiRequestStream: {
      methods: { requestBiStream: { requestType: 'Payload', requestStream: true, responseType: 'Payload', responseStream: true, comment: '' } },
    },
  },
};

/** A Payload as protobufjs reads and writes it. */
export interface WirePayload {
  metadata?: { type?: string; clientIp?: string; headers?: Record<string, string> } | null;
  body?: { type_url?: string; value?: Uint8Array } | null;
}

/** A decoded message: its class name and its JSON body. */
export interface NacosMessage {
  readonly type: string;
  readonly body: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

export type PayloadMethod = MethodDefinition<WirePayload, WirePayload>;

let loaded: { definition: PackageDefinition; request: PayloadMethod; biStream: PayloadMethod } | undefined;

/** The package definition (for a server in tests) and the two methods (for the client), built once. */
export function nacosGrpc(): { definition: PackageDefinition; request: PayloadMethod; biStream: PayloadMethod } {
  if (loaded) return loaded;
  const definition = fromJSON(NACOS_PROTO, { keepCase: true, defaults: false });
  const request = (definition.Request as ServiceDefinition).request as PayloadMethod;
  const biStream = (definition.BiRequestStream as ServiceDefinition).requestBiStream as PayloadMethod;
  loaded = { definition, request, biStream };
  return loaded;
}

/** A request or response for the wire: `type` is its Nacos class name, `body` becomes its JSON. */
export function encodeMessage(type: string, body: object, headers: Readonly<Record<string, string>> = {}, clientIp = ''): WirePayload {
  return { metadata: { type, clientIp, headers: { ...headers } }, body: { type_url: '', value: Buffer.from(JSON.stringify(body), 'utf8') } };
}

/** Reads a payload; a body that is not JSON is an error (the peer is not speaking Nacos). */
export function decodeMessage(payload: WirePayload): NacosMessage {
  const type = payload.metadata?.type ?? '';
  const bytes = payload.body?.value;
  const text = bytes === undefined ? '' : Buffer.from(bytes).toString('utf8');
  let body: unknown = {};
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`a ${type || 'message'} from Nacos is not JSON`);
    }
  }
  return { type, body, headers: payload.metadata?.headers ?? {} };
}
