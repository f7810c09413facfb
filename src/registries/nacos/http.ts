import { joinHostPort, splitHostPort } from '../../util/address.js';

/** No server answered at all (refused, reset, timed out): a connection problem. */
export class NacosUnreachable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NacosUnreachable';
  }
}

/** A server answered with an error status: a problem of this request, not of the connection. */
export class NacosHttpError extends Error {
  constructor(
    readonly status: number,
    readonly path: string,
    body: string,
  ) {
    // The body is the server's text (untrusted): one short line of it.
    super(`HTTP ${status} from ${path}${body ? `: ${body.replace(/\s+/g, ' ').slice(0, 200)}` : ''}`);
    this.name = 'NacosHttpError';
  }
}

function causeOf(err: unknown): string {
  if (err instanceof Error && err.name === 'TimeoutError') return 'timed out';
  const cause = err instanceof Error ? (err as Error & { cause?: unknown }).cause : undefined;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String((cause as { code: unknown }).code) : undefined;
  return code ?? (err instanceof Error ? err.message : String(err));
}

/**
 * The Nacos 1.x open API over plain HTTP, across the configured servers: a request goes to the
 * server that answered last, and moves on to the next one when a server cannot be reached or
 * answers 5xx. Paths are relative to the context path (`v1/ns/instance/list`). Credentials go in
 * the `accessToken` header or a form body, never in a URL that could reach a log.
 */
export class NacosHttp {
  private preferred = 0;

  constructor(
    private readonly hosts: readonly string[],
    private readonly contextPath: string,
    private readonly timeoutMs: number,
  ) {}

  /** Sends the request; resolves with the parsed JSON (or the text when it is not JSON). */
  async request(method: 'GET' | 'POST', path: string, params: Readonly<Record<string, string>>, token?: string): Promise<unknown> {
    let lastStatus: NacosHttpError | undefined;
    const failures: string[] = [];
    for (let i = 0; i < this.hosts.length; i++) {
      const index = (this.preferred + i) % this.hosts.length;
      const host = this.hosts[index] as string;
      const hp = splitHostPort(host);
      const base = `http://${hp ? joinHostPort(hp.host, hp.port) : host}/${this.contextPath}/${path}`;
      const query = new URLSearchParams(params).toString();
      const headers: Record<string, string> = token === undefined ? {} : { accessToken: token };
      let response: Response;
      try {
        response =
          method === 'GET'
            ? await fetch(query ? `${base}?${query}` : base, { headers, signal: AbortSignal.timeout(this.timeoutMs) })
            : await fetch(base, {
                method,
                headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
                body: query,
                signal: AbortSignal.timeout(this.timeoutMs),
              });
      } catch (err) {
        failures.push(`${host}: ${causeOf(err)}`);
        continue;
      }
      let text: string;
      try {
        text = await response.text();
      } catch (err) {
        failures.push(`${host}: ${causeOf(err)}`);
        continue;
      }
      if (response.status >= 500) {
        lastStatus = new NacosHttpError(response.status, `/${this.contextPath}/${path}`, text);
        continue;
      }
      this.preferred = index;
      if (!response.ok) throw new NacosHttpError(response.status, `/${this.contextPath}/${path}`, text);
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
    }
    if (lastStatus) throw lastStatus;
    throw new NacosUnreachable(`no Nacos server answered (${failures.join('; ')})`);
  }
}
