import * as z from 'zod';

/**
 * The JSON bodies of the Nacos messages ctmpl sends and reads (the Java classes of
 * com.alibaba.nacos.api.remote.request/response and naming.remote.request/response, field for
 * field). Every answer is checked here: what does not fit is an error, never an empty service.
 */

/** One instance as both the gRPC protocol and the v1 open API send it. */
const hostSchema = z.object({
  instanceId: z.string().nullish(),
  ip: z.string().nullish(),
  port: z.union([z.number(), z.string()]).nullish(),
  weight: z.number().nullish(),
  healthy: z.boolean().nullish(),
  enabled: z.boolean().nullish(),
  ephemeral: z.boolean().nullish(),
  clusterName: z.string().nullish(),
  serviceName: z.string().nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
});
export type NacosHost = z.infer<typeof hostSchema>;

/**
 * A service's instances (`ServiceInfo`): `hosts` must be there (Nacos's `valid` is exactly
 * "hosts is not null"); `name` may be `group@@name`.
 */
const serviceInfoSchema = z.object({
  name: z.string().nullish(),
  groupName: z.string().nullish(),
  clusters: z.string().nullish(),
  hosts: z.array(hostSchema),
  lastRefTime: z.number().nullish(),
  reachProtectionThreshold: z.boolean().nullish(),
  valid: z.boolean().nullish(),
});
export type NacosServiceInfo = z.infer<typeof serviceInfoSchema>;

/** What every response carries: 200 is success; otherwise errorCode and message say why. */
const responseSchema = z.object({
  resultCode: z.number(),
  errorCode: z.number().nullish(),
  message: z.string().nullish(),
});

/** A response with resultCode ≠ 200 (or an `ErrorResponse`): `code` is Nacos's errorCode (403 auth, 301 unregistered…). */
export class NacosResponseError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'NacosResponseError';
  }
}

/** Nacos's "connection is not registered (yet)": the bi-stream setup has not reached the server. */
export const UNREGISTERED = 301;
export const FORBIDDEN = 403;

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || 'the answer'}: ${issue.message}` : 'unexpected shape';
}

/** Checks a response's result code; throws NacosResponseError for an error answer. */
export function checkResponse(type: string, body: unknown): void {
  const parsed = responseSchema.safeParse(body);
  if (!parsed.success) throw new Error(`Nacos sent a ${type} that is not a response (${describeIssue(parsed.error)})`);
  if (parsed.data.resultCode === 200 && type !== 'ErrorResponse') return;
  const code = parsed.data.errorCode ?? parsed.data.resultCode;
  throw new NacosResponseError(code, `${parsed.data.message || 'no message'} (code ${code})`);
}

/** A ServiceInfo from a subscribe answer, a push or the v1 instance list. */
export function parseServiceInfo(value: unknown, what: string): NacosServiceInfo {
  const parsed = serviceInfoSchema.safeParse(value);
  if (!parsed.success) throw new Error(`Nacos sent a malformed instance list for ${what} (${describeIssue(parsed.error)})`);
  return parsed.data;
}

const subscribeResponseSchema = z.object({ serviceInfo: z.unknown() });
const notifySchema = z.object({ requestId: z.string().nullish(), serviceInfo: z.unknown() });
const serviceListSchema = z.object({ count: z.number(), serviceNames: z.array(z.string()).nullish() });
const v1ServiceListSchema = z.object({ count: z.number(), doms: z.array(z.string()) });
const loginSchema = z.object({ accessToken: z.string().min(1), tokenTtl: z.number().nullish() });
const serverRequestSchema = z.object({ requestId: z.string().nullish() });

export function subscribeAnswer(body: unknown, what: string): NacosServiceInfo {
  const parsed = subscribeResponseSchema.safeParse(body);
  if (!parsed.success) throw new Error(`Nacos sent a malformed subscribe answer for ${what}`);
  return parseServiceInfo(parsed.data.serviceInfo, what);
}

/** A NotifySubscriberRequest: the pushed ServiceInfo (parsed later, once its service is known). */
export function notifyPush(body: unknown): { serviceInfo: unknown } {
  const parsed = notifySchema.safeParse(body);
  if (!parsed.success) throw new Error('Nacos pushed a malformed NotifySubscriberRequest');
  return { serviceInfo: parsed.data.serviceInfo };
}

/** A page of a service list, gRPC (`serviceNames`) or v1 HTTP (`doms`). */
export function serviceListPage(body: unknown): { count: number; names: string[] } {
  const http = v1ServiceListSchema.safeParse(body);
  if (http.success) return { count: http.data.count, names: http.data.doms };
  const grpc = serviceListSchema.safeParse(body);
  if (grpc.success) return { count: grpc.data.count, names: grpc.data.serviceNames ?? [] };
  throw new Error('Nacos sent a malformed service list');
}

/** The answer of /v1/auth/login: the token and its lifetime in seconds (Nacos's default is 18000). */
export function loginAnswer(body: unknown): { accessToken: string; ttlSeconds: number } {
  const parsed = loginSchema.safeParse(body);
  if (!parsed.success) throw new Error('Nacos answered the login without an accessToken');
  return { accessToken: parsed.data.accessToken, ttlSeconds: parsed.data.tokenTtl ?? 18_000 };
}

/** The requestId of a request the server sent on the bi-stream (answered with the same id). */
export function serverRequestId(body: unknown): string {
  const parsed = serverRequestSchema.safeParse(body);
  return parsed.success ? (parsed.data.requestId ?? '') : '';
}

/** A success response to a server's request (NotifySubscriberResponse, ClientDetectionResponse…). */
export function okResponse(requestId: string): object {
  return { resultCode: 200, errorCode: 0, requestId };
}

/** The bodies ctmpl sends. `module` and `headers` are part of every Nacos request. */
export const requests = {
  serverCheck: (): object => ({ module: 'internal', headers: {} }),
  healthCheck: (): object => ({ module: 'internal', headers: {} }),
  /** First message on the bi-stream: registers the connection; `tenant` is the namespace. */
  connectionSetup: (namespace: string, clientVersion: string): object => ({
    module: 'internal',
    headers: {},
    clientVersion,
    tenant: namespace,
    labels: { source: 'sdk', module: 'naming' },
  }),
  subscribe: (namespace: string, group: string, service: string, clusters: readonly string[], subscribe: boolean): object => ({
    module: 'naming',
    headers: {},
    namespace,
    groupName: group,
    serviceName: service,
    clusters: clusters.join(','),
    subscribe,
  }),
  serviceList: (namespace: string, group: string, pageNo: number, pageSize: number): object => ({
    module: 'naming',
    headers: {},
    namespace,
    groupName: group,
    serviceName: '',
    pageNo,
    pageSize,
    selector: '',
  }),
};
