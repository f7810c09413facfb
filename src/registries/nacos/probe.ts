import { NacosConnection } from './connection.js';
import { NacosHttpError, NacosUnreachable, type NacosHttp } from './http.js';
import { grpcAddressOf, type NacosSettings } from './settings.js';

/** What `transport=auto` found: which transport to use, or why neither answers. */
export type ProbeResult = { readonly use: 'grpc' | 'http'; readonly why: string } | { readonly use: undefined; readonly why: string };

/** Whether some server answers a gRPC ServerCheckRequest; the reasons of those that did not. */
export async function grpcAnswers(settings: NacosSettings): Promise<{ ok: boolean; why: string }> {
  const failures: string[] = [];
  for (const httpHost of settings.hosts) {
    const { host, port } = grpcAddressOf(httpHost, settings);
    try {
      await NacosConnection.check(host, port, settings.timeoutMs);
      return { ok: true, why: `${host}:${port} answers gRPC` };
    } catch (err) {
      failures.push(`${host}:${port}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { ok: false, why: failures.join('; ') };
}

/**
 * How `transport=auto` chooses: gRPC (push) when any server answers a ServerCheckRequest on its
 * gRPC port; else HTTP polling when a server answers the v1 open API at all (any HTTP status: a
 * 1.x server, or a 2.x server whose gRPC port is not reachable from here); else neither, and the
 * source retries with backoff.
 */
export async function probeTransports(settings: NacosSettings, http: NacosHttp): Promise<ProbeResult> {
  const grpc = await grpcAnswers(settings);
  if (grpc.ok) return { use: 'grpc', why: grpc.why };
  try {
    await http.request('GET', 'v1/ns/service/list', { pageNo: '1', pageSize: '1', namespaceId: settings.namespace, groupName: settings.group });
  } catch (err) {
    if (!(err instanceof NacosHttpError)) {
      return { use: undefined, why: `gRPC: ${grpc.why}; HTTP: ${err instanceof NacosUnreachable ? err.message : String(err)}` };
    }
  }
  return { use: 'http', why: `no gRPC answer (${grpc.why})` };
}
