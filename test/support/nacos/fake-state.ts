/**
 * The registry a scripted fake Nacos serves (over gRPC, fake-grpc.ts, and over the v1 HTTP API,
 * fake-http.ts): services by `group@@name`, users for the login, and the faults the tests script.
 * It sends what a Java Nacos 2.x sends, including what rnacos leaves out (`reachProtectionThreshold`,
 * `valid`, `allIPs`).
 */

/** One instance, in Nacos's JSON shape (fields left out are left out of the JSON too). */
export interface FakeHost {
  readonly instanceId?: string;
  readonly ip: string;
  readonly port: number;
  readonly weight?: number;
  readonly healthy?: boolean;
  readonly enabled?: boolean;
  readonly ephemeral?: boolean;
  readonly clusterName?: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

interface FakeService {
  hosts: readonly FakeHost[];
  reachProtectionThreshold: boolean;
  lastRefTime: number;
}

export class FakeNacosState {
  private readonly services = new Map<string, FakeService>();
  private readonly listeners = new Set<(grouped: string) => void>();
  private clock = 1_000;
  /** user → password; when set, every request needs the token of a login. */
  users: Map<string, string> | undefined;
  /** Tokens handed out by logins (and still valid). */
  readonly tokens = new Set<string>();
  /** Lifetime of a token, in seconds (the login's tokenTtl). */
  tokenTtl = 18_000;
  /** Logins attempted, per user. */
  readonly logins: string[] = [];

  /** Sets a service's instances (an empty list keeps the service) and pushes it to subscribers. */
  set(grouped: string, hosts: readonly FakeHost[], options: { reachProtectionThreshold?: boolean } = {}): void {
    this.services.set(grouped, { hosts, reachProtectionThreshold: options.reachProtectionThreshold ?? false, lastRefTime: this.tick() });
    for (const listener of this.listeners) listener(grouped);
  }

  delete(grouped: string): void {
    this.services.delete(grouped);
  }

  onChange(listener: (grouped: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A ServiceInfo as Nacos 2.x sends it (`name` plain, `groupName` apart); `lastRefTime` may be forced (stale answers). */
  serviceInfo(grouped: string, options: { lastRefTime?: number; grpcName?: boolean } = {}): object {
    const [group = '', name = ''] = grouped.split('@@');
    const service = this.services.get(grouped);
    const hosts = (service?.hosts ?? []).map((h) => ({ ...h, serviceName: grouped }));
    return {
      name: options.grpcName === false ? grouped : name,
      groupName: group,
      clusters: '',
      cacheMillis: 10_000,
      hosts,
      lastRefTime: options.lastRefTime ?? service?.lastRefTime ?? this.tick(),
      checksum: '',
      allIPs: false,
      reachProtectionThreshold: service?.reachProtectionThreshold ?? false,
      valid: true,
    };
  }

  /** Service names of a group, plain, sorted. */
  names(group: string): string[] {
    return [...this.services.keys()].filter((k) => k.startsWith(`${group}@@`)).map((k) => k.slice(group.length + 2)).sort();
  }

  /** Checks a login; returns a new token or undefined. */
  login(user: string, password: string): string | undefined {
    this.logins.push(user);
    if (this.users?.get(user) !== password) return undefined;
    const token = `token-${this.tokens.size + 1}-${user}`;
    this.tokens.add(token);
    return token;
  }

  /** Whether a request with this token may pass. */
  allowed(token: string | undefined): boolean {
    return this.users === undefined || (token !== undefined && this.tokens.has(token));
  }

  /** A strictly increasing lastRefTime. */
  private tick(): number {
    this.clock += 1;
    return Date.now() + this.clock;
  }
}
