/**
 * Looking into running containers: exec, logs, processes, inspect; plain HTTP from the host; and
 * what nginx's error log says about the signals it received.
 */
import { request } from 'node:http';
import { mustPodman, podman, type Ran } from './podman.js';

export function exec(container: string, args: readonly string[]): Promise<Ran> {
  return podman(['exec', container, ...args], { timeoutMs: 30_000 });
}

/** stdout and stderr of a container so far (podman keeps them apart; ctmpl and nginx log to both). */
export async function logs(container: string): Promise<string> {
  const result = await podman(['logs', container], { timeoutMs: 30_000 });
  return `${result.stdout}\n${result.stderr}`;
}

/** `podman inspect` of a container or an image, parsed. */
export async function inspect(kind: 'container' | 'image', name: string): Promise<Record<string, unknown>> {
  const parsed: unknown = JSON.parse(await mustPodman([kind, 'inspect', name]));
  const first: unknown = Array.isArray(parsed) ? parsed[0] : undefined;
  if (typeof first !== 'object' || first === null) throw new Error(`podman ${kind} inspect ${name}: no object`);
  return first as Record<string, unknown>;
}

export interface ProcessEntry {
  /** PID inside the container's PID namespace. */
  readonly pid: number;
  readonly ppid: number;
  readonly args: string;
}

/** The processes of a container as its PID namespace numbers them (`podman top`, no ps needed inside). */
export async function processes(container: string): Promise<ProcessEntry[]> {
  const text = await mustPodman(['top', container, 'pid', 'ppid', 'args'], { timeoutMs: 30_000 });
  return text
    .split('\n')
    .slice(1)
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: (m[3] ?? '').trim() }));
}

/** nginx's master and worker PIDs in its container. */
export async function nginxProcesses(container: string): Promise<{ master: number; workers: number[] }> {
  const all = await processes(container);
  const masters = all.filter((p) => p.args.startsWith('nginx: master process'));
  if (masters.length !== 1) throw new Error(`expected one nginx master in ${container}, found: ${JSON.stringify(all)}`);
  const master = masters[0]?.pid ?? 0;
  return { master, workers: all.filter((p) => p.ppid === master && p.args.startsWith('nginx: worker process')).map((p) => p.pid) };
}

/** The PIDs that sent nginx SIGHUP, in order: its notice "signal 1 (SIGHUP) received from N, reconfiguring". */
export function sighupSenders(nginxLog: string): number[] {
  return [...nginxLog.matchAll(/signal 1 \(SIGHUP\) received from (\d+), reconfiguring/g)].map((m) => Number(m[1]));
}

export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** One GET on a fresh connection (no keep-alive: a reload closes idle connections under us). */
export function httpGet(url: string, timeoutMs = 5000): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** A JSON request (Consul's API); throws unless it answers 2xx. */
export async function httpJson(method: 'PUT' | 'GET', url: string, payload?: unknown): Promise<string> {
  const res = await fetch(url, { method, ...(payload === undefined ? {} : { body: JSON.stringify(payload) }), signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url} answered ${res.status}: ${text}`);
  return text;
}
