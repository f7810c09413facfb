/**
 * Podman for the container tests: running it, checking that it can run here at all, its Docker API
 * socket (for docker-compose), image builds with this machine's npm and CA settings, and the
 * healthcheck runs that systemd would schedule on a host that has it.
 * test/support/podman/setup.sh prepares a machine (packages, containers.conf, stand-in images).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { waitFor } from '../ctmpl.js';
import { registerCleanup } from '../tmp.js';

export const SETUP_HINT = 'run `bash test/support/podman/setup.sh` (as root) to install and configure podman and make the stand-in images';

export interface Ran {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
}

export interface RunOptions {
  readonly timeoutMs?: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
}

/** Runs a program to its end; never throws for a non-zero exit (see `mustRun`). */
export async function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<Ran> {
  const started = performance.now();
  const result = await execa(file, args, {
    reject: false,
    stdin: 'ignore',
    timeout: options.timeoutMs ?? 60_000,
    // A given environment is the whole environment (callers start from process.env).
    ...(options.env ? { env: options.env, extendEnv: false } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  // A program that did not start (ENOENT) or was killed has no exit code: say why instead.
  const stderr = result.exitCode === undefined ? `${String(result.stderr ?? '')}${result.shortMessage}` : String(result.stderr ?? '');
  return { exitCode: result.exitCode, stdout: String(result.stdout ?? ''), stderr, durationMs: performance.now() - started };
}

/** Runs a program that must succeed; its output is in the error otherwise. Returns stdout. */
export async function mustRun(file: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  const result = await run(file, args, options);
  if (result.exitCode !== 0) {
    throw new Error(`\`${[file, ...args].join(' ')}\` exited ${String(result.exitCode)}:\n${result.stdout}\n${result.stderr}`.trim());
  }
  return result.stdout;
}

export function podman(args: readonly string[], options: RunOptions = {}): Promise<Ran> {
  return run('podman', args, options);
}

export function mustPodman(args: readonly string[], options: RunOptions = {}): Promise<string> {
  return mustRun('podman', args, options);
}

/**
 * Throws, saying what is missing and what to do, unless podman runs containers here, docker-compose
 * is installed and every image in `images` exists locally.
 */
export async function assertPodmanUsable(images: readonly string[]): Promise<void> {
  const problems: string[] = [];
  // setup.sh makes the images for root's (rootful) podman; a user's rootless podman has none of them.
  if (process.getuid?.() !== 0) problems.push('the test uses rootful podman: run it as root');
  const info = await run('podman', ['info', '--format', '{{.Host.OCIRuntime.Name}}'], { timeoutMs: 30_000 });
  if (info.exitCode !== 0) problems.push(`\`podman info\` failed: ${(info.stderr || info.stdout).trim()}`);
  const compose = await run('docker-compose', ['version', '--short']);
  if (compose.exitCode !== 0) problems.push(`docker-compose is not usable: ${(compose.stderr || compose.stdout).trim()}`);
  if (problems.length === 0) {
    for (const image of images) {
      if ((await podman(['image', 'exists', image])).exitCode !== 0) problems.push(`the image ${image} does not exist`);
    }
  }
  if (problems.length > 0) throw new Error(`podman cannot run the sidecar test here:\n- ${problems.join('\n- ')}\nTo fix: ${SETUP_HINT}.`);
}

/**
 * A Docker-compatible API socket of its own (`podman system service`) in `dir`, stopped when the
 * file's tests end. Returns the DOCKER_HOST value for it.
 */
export async function startApiService(dir: string): Promise<string> {
  const socket = join(dir, 'podman.sock');
  const service: ResultPromise = execa('podman', ['system', 'service', '--time=0', `unix://${socket}`], { reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe' });
  registerCleanup(async () => {
    service.kill('SIGTERM');
    await service;
  });
  const host = `unix://${socket}`;
  await waitFor(async () => (await run('curl', ['-fsS', '--unix-socket', socket, 'http://d/_ping'], { timeoutMs: 2000 })).exitCode === 0, {
    timeoutMs: 20_000,
    intervalMs: 100,
    what: `podman system service on ${socket}`,
  });
  return host;
}

/** What a build inside a container needs to reach this machine's npm registry. */
export interface HostBuildSettings {
  /** The CA certificates this machine added (PEM), '' when none: HTTPS may be intercepted. */
  readonly extraCaCerts: string;
  /** `npm config get registry` here. */
  readonly npmRegistry: string;
}

const CA_DIR = '/usr/local/share/ca-certificates';

export async function hostBuildSettings(): Promise<HostBuildSettings> {
  const names = await readdir(CA_DIR, { recursive: true }).catch(() => [] as string[]);
  const pems = await Promise.all(names.filter((n) => n.endsWith('.crt')).sort().map((n) => readFile(join(CA_DIR, n), 'utf8')));
  const registry = await mustRun('npm', ['config', 'get', 'registry']);
  return { extraCaCerts: pems.map((p) => p.trim()).join('\n'), npmRegistry: registry.trim() };
}

export interface BuildOptions {
  readonly context: string;
  readonly dockerfile: string;
  readonly tag: string;
  readonly buildArgs: Readonly<Record<string, string>>;
  /** Keep intermediate layers as a cache (true), or leave no image behind but the tagged one. */
  readonly layers?: boolean;
}

/**
 * `podman build` in Docker format (the OCI format has no HEALTHCHECK). Returns how long it took.
 * With `layers: false` (the default) nothing but the tagged image is left behind.
 */
export async function buildImage(options: BuildOptions): Promise<number> {
  const args = ['build', '--format', 'docker', `--layers=${String(options.layers ?? false)}`, '-f', options.dockerfile, '-t', options.tag];
  for (const [name, value] of Object.entries(options.buildArgs)) args.push('--build-arg', `${name}=${value}`);
  const result = await podman([...args, options.context], { timeoutMs: 900_000 });
  if (result.exitCode !== 0) throw new Error(`building ${options.tag} failed (exit ${String(result.exitCode)}):\n${result.stdout.slice(-4000)}\n${result.stderr.slice(-4000)}`);
  return result.durationMs;
}

/**
 * Runs `podman healthcheck run` on the named containers every `intervalMs` (ones that do not exist
 * yet are skipped): without systemd, podman schedules no healthcheck, and docker-compose's
 * `condition: service_healthy` would wait forever. Stop it before the containers go.
 */
export function startHealthTicker(containers: readonly string[], intervalMs = 1000): { stop(): Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      await Promise.all(containers.map((name) => podman(['healthcheck', 'run', name], { timeoutMs: 15_000 })));
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
