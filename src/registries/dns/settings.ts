import { InputError } from '../../errors.js';
import { durationOption, parseRegistryUri } from '../uri.js';

/** Which resolver to ask for SRV records and how often to ask again. */
export interface DnsSettings {
  /** host:port of the DNS server, or undefined for the system resolver (/etc/resolv.conf). */
  readonly server: string | undefined;
  /** Bounds on the time between two resolutions of a name (the records' TTL within them). */
  readonly minTtlMs: number;
  readonly maxTtlMs: number;
  /** One query's timeout (each resolution tries twice). */
  readonly timeoutMs: number;
}

const OPTIONS = ['min_ttl', 'max_ttl', 'timeout'] as const;
const EXAMPLE = 'dns: (the system resolver) or dns://127.0.0.1:53?min_ttl=5s&max_ttl=5m';

/** `dns:` or `dns://` (system resolver), `dns://HOST[:PORT][?min_ttl=5s&max_ttl=5m&timeout=2s]`. */
export function parseDnsUri(rest: string, what: string): DnsSettings {
  const uri = parseRegistryUri(rest === '' ? '//' : rest, what, EXAMPLE, OPTIONS, 53);
  if (uri.user !== undefined || uri.path !== '') throw new InputError(`${what}: a DNS source is dns://SERVER[:PORT] (no user, no path)`, undefined, `for example ${EXAMPLE}`);
  if (uri.hosts.length > 1) throw new InputError(`${what}: give one DNS server`, undefined, `for example ${EXAMPLE}`);
  const minTtlMs = durationOption(uri, 'min_ttl', 5000, what);
  const maxTtlMs = durationOption(uri, 'max_ttl', 300_000, what);
  if (minTtlMs < 100 || maxTtlMs < minTtlMs) {
    throw new InputError(`${what}: min_ttl must be at least 100ms and no more than max_ttl`, undefined, 'for example min_ttl=5s&max_ttl=5m');
  }
  return { server: uri.hosts[0], minTtlMs, maxTtlMs, timeoutMs: durationOption(uri, 'timeout', 2000, what) };
}

export function describeDns(settings: DnsSettings): string {
  return settings.server === undefined ? 'dns: (system resolver)' : `dns://${settings.server}`;
}
