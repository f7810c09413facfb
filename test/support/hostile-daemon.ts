/**
 * ctmpl as a daemon over a real registry with the SHIPPED templates, for the tests of names that
 * try to take over or poison a file (test/integration/catalog-takeover.test.ts,
 * catalog-names.test.ts): what the rendered nginx and haproxy files hold, and what ctmpl refused.
 */
import { join } from 'node:path';
import { LEVEL, readIfExists, startCtmpl, TEMPLATES, type Daemon, type LogLine } from './ctmpl.js';
import { CHANGE_MS } from './registry-job.js';

export const SHIPPED_NGINX = join(TEMPLATES, 'nginx-upstream.hbs');
export const SHIPPED_HAPROXY = join(TEMPLATES, 'haproxy-backend.hbs');
export const SHIPPED_HAPROXY_RUNTIME = join(TEMPLATES, 'haproxy-runtime.hbs');
export const SHIPPED_FILE_SD = join(TEMPLATES, 'prometheus-file-sd.json.hbs');

/**
 * ctmpl over `source` (`--source URI`, or Consul flags) rendering `templates` (template → output)
 * with no quiescence and no flap damping (a registration is not a flap); the removal guard keeps
 * its defaults.
 */
export function watchShipped(source: readonly string[], templates: readonly (readonly [string, string])[], dir: string, env: Readonly<Record<string, string>> = {}): Daemon {
  return startCtmpl([...source, ...templates.flatMap(([t, out]) => ['-t', `${t}:${out}`]), '--wait', '0', '--flap', 'off'], {
    cwd: dir,
    env: { CONSUL_HTTP_ADDR: '', CONSUL_HTTP_TOKEN: '', ETCDCTL_USER: '', ETCDCTL_PASSWORD: '', ...env },
  });
}

export interface RenderedUpstream {
  /** `host:port` of every server line but the `down` placeholder, sorted. */
  readonly servers: string[];
  /** Server lines marked as held by the removal guard. */
  readonly held: number;
}

/** Upstream name → servers, from a file rendered by the shipped nginx template (held lines counted). */
export function upstreamsOf(text: string): Map<string, RenderedUpstream> {
  const out = new Map<string, RenderedUpstream>();
  for (const [, name, body] of text.matchAll(/^upstream (\S+) \{\n([\s\S]*?)^\}/gm)) {
    const lines = (body as string).split('\n').map((l) => /^\s+server (\S+) ([^;]*);(.*)$/.exec(l)).filter((m): m is RegExpExecArray => m !== null && !/\bdown\b/.test(m[2] as string));
    out.set(name as string, { servers: lines.map((m) => m[1] as string).sort(), held: lines.filter((m) => /# held/.test(m[3] as string)).length });
  }
  return out;
}

/** Waits until the nginx file's upstreams satisfy `ok`; returns them. The failure shows the file. */
export async function upstreamsWhen(daemon: Daemon, path: string, ok: (u: Map<string, RenderedUpstream>) => boolean, what: string): Promise<Map<string, RenderedUpstream>> {
  let last: string | undefined;
  try {
    return await daemon.waitFor(
      async () => {
        last = await readIfExists(path);
        const upstreams = last === undefined ? undefined : upstreamsOf(last);
        return upstreams !== undefined && ok(upstreams) ? upstreams : undefined;
      },
      { timeoutMs: CHANGE_MS, intervalMs: 25, what },
    );
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- ${path} ---\n${last ?? '(no file)'}`);
  }
}

/** The warnings ctmpl logged about refused catalog data whose reason matches. */
export const refusals = (daemon: Daemon, reason: RegExp): LogLine[] =>
  daemon.logs().filter((l) => l.level === LEVEL.warn && l.msg.startsWith('catalog data refused') && reason.test(String(l.reason)));

/** Waits for a refusal warning whose reason matches. */
export const refusalLogged = (daemon: Daemon, reason: RegExp): Promise<LogLine> =>
  daemon.waitForLog((l) => l.level === LEVEL.warn && l.msg.startsWith('catalog data refused') && reason.test(String(l.reason)), { timeoutMs: CHANGE_MS, what: `a refusal matching ${String(reason)}` });

/** Render failures and other errors ctmpl logged. */
export const errorsLogged = (daemon: Daemon): LogLine[] => daemon.logs().filter((l) => l.level >= LEVEL.error);
