import { createServer, type Server } from 'node:http';
import { InputError } from '../errors.js';
import { healthVerdict, type HealthSettings, type PipelineStatus } from './status.js';
import type { Metrics } from './metrics.js';

/** Parses `host:port` for --listen; a bare port means 127.0.0.1 (never all interfaces by surprise). */
export function parseListen(text: string, what = '--listen'): { host: string; port: number } {
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):)?(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[2]);
  if (!match || port < 0 || port > 65535) {
    throw new InputError(`${what} "${text}" is not host:port`, undefined, 'for example 127.0.0.1:9123, or 0.0.0.0:9123 for every interface');
  }
  return { host: (match[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''), port };
}

/**
 * The observability endpoint: /metrics (Prometheus), /healthz (200 or 503 with the reasons as
 * JSON) and /status (templates, sources, dependencies, guard state, last errors). `status` is a
 * getter because the running pipeline is replaced on SIGHUP.
 */
export async function startHttp(listen: { host: string; port: number }, metrics: Metrics, status: () => PipelineStatus, settings: HealthSettings): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const json = (code: number, body: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json' }).end(`${JSON.stringify(body, null, 2)}\n`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      json(405, { error: 'only GET' });
      return;
    }
    if (path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (err: unknown) => json(500, { error: String(err) }),
      );
    } else if (path === '/healthz') {
      const verdict = healthVerdict(status(), settings);
      json(verdict.healthy ? 200 : 503, verdict.healthy ? { status: 'ok' } : { status: 'unhealthy', reasons: verdict.reasons });
    } else if (path === '/status') {
      json(200, status());
    } else {
      json(404, { error: 'not found', endpoints: ['/metrics', '/healthz', '/status'] });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new InputError(`cannot listen on ${listen.host}:${listen.port} (${err.code ?? err.message})`, undefined, 'pick a free port for --listen')),
    );
    server.listen(listen.port, listen.host, () => resolve());
  });
  return server;
}
