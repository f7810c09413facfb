import { InputError } from '../../errors.js';
import { portText } from '../../util/address.js';
import { readSecretFile } from '../../util/secret-file.js';
import { durationOption, parseRegistryUri, pathOption } from '../uri.js';

/**
 * How ctmpl talks to Nacos. `grpc`: the 2.x gRPC protocol with server push; `http`: the 1.x open
 * API, polled; `auto`: gRPC when the server answers on its gRPC port, else polling (see README.md).
 */
export type NacosTransportChoice = 'auto' | 'grpc' | 'http';

/** How to reach Nacos and which part of its registry a source reads. */
export interface NacosSettings {
  /** host:port of the HTTP API (default port 8848), in the order given. */
  readonly hosts: readonly string[];
  /** The HTTP context path without slashes (`nacos`, Nacos's default). */
  readonly contextPath: string;
  /** Namespace ID (`public` is Nacos's default namespace). */
  readonly namespace: string;
  /** Group of plain service names (`DEFAULT_GROUP`); a template may name another as `GROUP@@name`. */
  readonly group: string;
  /** Clusters to keep (empty: all). */
  readonly clusters: readonly string[];
  readonly transport: NacosTransportChoice;
  /** gRPC port of every server; undefined: each server's HTTP port + 1000, as Nacos clients do. */
  readonly grpcPort: number | undefined;
  /** One request's deadline (subscribe, list, login, health check). */
  readonly timeoutMs: number;
  /** Interval of HTTP polling, and of refreshing the service list for `(services)`. */
  readonly pollIntervalMs: number;
  /**
   * Login for servers with authentication on: the user, and the file holding its password (read
   * at every login, so a rotated password is picked up without a restart). Never the password.
   */
  readonly auth?: { readonly user: string; readonly passwordFile: string };
}

const OPTIONS = ['namespace', 'group', 'clusters', 'password_file', 'transport', 'grpc_port', 'timeout', 'poll_interval'] as const;
export const NACOS_SYNTAX = 'nacos://[USER@]HOST:PORT[,HOST:PORT…][/CONTEXT][?namespace=ID&group=G&clusters=A,B&password_file=PATH&transport=auto|grpc|http&grpc_port=P&timeout=3s&poll_interval=5s]';
const EXAMPLE = 'nacos://127.0.0.1:8848?namespace=prod&group=DEFAULT_GROUP';
const TRANSPORTS: readonly NacosTransportChoice[] = ['auto', 'grpc', 'http'];
/** Namespace IDs, group and cluster names as Nacos accepts them (its own rule is letters, digits, `-_.:`). */
const NAME = /^[A-Za-z0-9_.:-]+$/;

function nameOption(value: string | undefined, option: string, what: string, fallback: string): string {
  if (value === undefined) return fallback;
  if (!NAME.test(value)) throw new InputError(`${what}: ${option}="${value.slice(0, 80)}" is not a Nacos ${option} name`, undefined, `use letters, digits and - _ . : only, for example ${EXAMPLE}`);
  return value;
}

/**
 * `nacos://[user@]host:port[,host:port…][/CONTEXT][?options]` (see NACOS_SYNTAX). A user means a
 * login, with the password read from password_file (resolved against `baseDir`); the two go
 * together.
 */
export function parseNacosUri(rest: string, baseDir: string, what: string): NacosSettings {
  const uri = parseRegistryUri(rest, what, EXAMPLE, OPTIONS, 8848);
  if (uri.hosts.length === 0) throw new InputError(`${what}: no Nacos server`, undefined, `for example ${EXAMPLE}`);
  const contextPath = uri.path.replace(/^\/+|\/+$/g, '') || 'nacos';
  if (!/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(contextPath)) {
    throw new InputError(`${what}: the context path is not a plain path`, undefined, 'leave it out (Nacos serves /nacos) or give the server.servlet.contextPath of your Nacos, for example nacos://h:8848/nacos');
  }
  const namespace = nameOption(uri.options.get('namespace'), 'namespace', what, 'public');
  const group = nameOption(uri.options.get('group'), 'group', what, 'DEFAULT_GROUP');
  const clusterText = uri.options.get('clusters');
  const clusters = clusterText === undefined ? [] : clusterText.split(',').map((c) => c.trim());
  for (const cluster of clusters) nameOption(cluster, 'cluster', what, '');
  const transportText = uri.options.get('transport') ?? 'auto';
  if (!(TRANSPORTS as readonly string[]).includes(transportText)) {
    throw new InputError(`${what}: transport="${transportText.slice(0, 20)}" is not one of ${TRANSPORTS.join(', ')}`, undefined, 'auto (gRPC push, HTTP polling where gRPC is unavailable), grpc or http');
  }
  const transport = transportText as NacosTransportChoice;
  const grpcPortText = uri.options.get('grpc_port');
  const grpcPort = grpcPortText === undefined ? undefined : portText(grpcPortText);
  if (grpcPortText !== undefined && grpcPort === undefined) throw new InputError(`${what}: grpc_port="${grpcPortText.slice(0, 20)}" is not a port`, undefined, 'for example grpc_port=9848');
  if (grpcPort !== undefined && transport === 'http') throw new InputError(`${what}: grpc_port is given but transport=http never uses gRPC`, undefined, 'leave out one of the two');
  const tooHigh = uri.hosts.find((h) => Number(h.slice(h.lastIndexOf(':') + 1)) > 64535);
  if (grpcPort === undefined && transport !== 'http' && tooHigh !== undefined) {
    throw new InputError(`${what}: the gRPC port of "${tooHigh}" would be its HTTP port + 1000, which is no port`, undefined, 'give the gRPC port with grpc_port=P, or transport=http');
  }
  const timeoutMs = durationOption(uri, 'timeout', 3000, what);
  const pollIntervalMs = durationOption(uri, 'poll_interval', 5000, what);
  if (timeoutMs < 100) throw new InputError(`${what}: timeout must be at least 100ms`, undefined, 'for example timeout=3s');
  if (pollIntervalMs < 500) throw new InputError(`${what}: poll_interval must be at least 500ms`, undefined, 'for example poll_interval=5s');
  const passwordFile = pathOption(uri, 'password_file', baseDir);
  if (uri.user !== undefined && passwordFile === undefined) {
    throw new InputError(`${what}: Nacos user "${uri.user}" has no password`, undefined, `add password_file=PATH (a file holding the password) to the URI, for example nacos://${uri.user}@nacos1:8848?password_file=/etc/ctmpl/nacos.pw`);
  }
  if (uri.user === undefined && passwordFile !== undefined) {
    throw new InputError(`${what}: password_file is given but no user`, undefined, 'put the user name before the servers, for example nacos://ctmpl@nacos1:8848?password_file=/etc/ctmpl/nacos.pw');
  }
  return {
    hosts: uri.hosts,
    contextPath,
    namespace,
    group,
    clusters,
    transport,
    grpcPort: grpcPort === undefined ? undefined : Number(grpcPort),
    timeoutMs,
    pollIntervalMs,
    ...(uri.user !== undefined && passwordFile !== undefined ? { auth: { user: uri.user, passwordFile } } : {}),
  };
}

/**
 * The password of the source's user, read from its file now (at load, and at every login, so a
 * rotated password is picked up). An unreadable or empty file is an InputError naming the file,
 * never its content. Undefined without a user.
 */
export function readNacosPassword(settings: Pick<NacosSettings, 'auth'>): string | undefined {
  if (settings.auth === undefined) return undefined;
  return readSecretFile(settings.auth.passwordFile, 'Nacos password', `check password_file= in the Nacos source URI (the password of user "${settings.auth.user}")`);
}

/** The gRPC address of a server given as HTTP `host:port`: grpc_port, else the HTTP port + 1000. */
export function grpcAddressOf(httpHost: string, settings: Pick<NacosSettings, 'grpcPort'>): { host: string; port: number } {
  const at = httpHost.lastIndexOf(':');
  const host = httpHost.slice(0, at).replace(/^\[(.*)\]$/, '$1');
  return { host, port: settings.grpcPort ?? Number(httpHost.slice(at + 1)) + 1000 };
}

/** For logs and /status: servers, user, namespace and what differs from the defaults; never the password. */
export function describeNacos(settings: NacosSettings): string {
  const options = [`namespace=${settings.namespace}`, `group=${settings.group}`];
  if (settings.clusters.length > 0) options.push(`clusters=${settings.clusters.join(',')}`);
  if (settings.transport !== 'auto') options.push(`transport=${settings.transport}`);
  if (settings.grpcPort !== undefined) options.push(`grpc_port=${settings.grpcPort}`);
  const context = settings.contextPath === 'nacos' ? '' : `/${settings.contextPath}`;
  return `nacos://${settings.auth ? `${settings.auth.user}@` : ''}${settings.hosts.join(',')}${context}?${options.join('&')}`;
}
