/**
 * A docker-compose (1.29) project run against podman's Docker API socket: up, down, its
 * containers by service, and a teardown that leaves nothing behind even when `down` falls short.
 */
import { mustPodman, podman, run, type Ran } from './podman.js';

export interface ComposeOptions {
  readonly files: readonly string[];
  /** The project name: prefixes containers, volumes and the network. */
  readonly project: string;
  /** DOCKER_HOST of a podman API socket. */
  readonly dockerHost: string;
  /** Variables the compose files substitute (the published ports). */
  readonly variables: Readonly<Record<string, string>>;
}

const PROJECT_LABEL = 'com.docker.compose.project';

export class ComposeProject {
  constructor(private readonly options: ComposeOptions) {}

  get name(): string {
    return this.options.project;
  }

  /** The container of a service (docker-compose 1.x names it PROJECT_SERVICE_1). */
  container(service: string): string {
    return `${this.options.project}_${service}_1`;
  }

  /** Runs docker-compose with the project's files; never throws for a non-zero exit. */
  compose(args: readonly string[], timeoutMs = 300_000): Promise<Ran> {
    const files = this.options.files.flatMap((f) => ['-f', f]);
    return run('docker-compose', ['--no-ansi', '-p', this.options.project, ...files, ...args], { env: this.env(), timeoutMs });
  }

  /** `up -d`; returns how long it took. */
  async up(): Promise<number> {
    const result = await this.compose(['up', '-d', '--no-build']);
    if (result.exitCode !== 0) throw new Error(`docker-compose up exited ${String(result.exitCode)}:\n${result.stdout}\n${result.stderr}`);
    return result.durationMs;
  }

  /**
   * `down -v`, then whatever is left removed by its project label. With podman, `down` may leave
   * nginx behind: podman refuses to remove a container whose PID namespace another container
   * (the sidecar) still uses, and docker-compose removes them all at once.
   */
  async down(): Promise<void> {
    for (let attempt = 0; attempt < 2 && (await this.leftovers()).length > 0; attempt += 1) {
      await this.compose(['down', '-v', '--remove-orphans', '-t', '5'], 120_000);
    }
    const filter = ['--filter', `label=${PROJECT_LABEL}=${this.options.project}`];
    const containers = (await mustPodman(['ps', '-a', '-q', ...filter])).split('\n').filter((id) => id !== '');
    if (containers.length > 0) await podman(['rm', '-f', '-t', '0', ...containers]);
    const volumes = (await mustPodman(['volume', 'ls', '-q', ...filter])).split('\n').filter((v) => v !== '');
    if (volumes.length > 0) await podman(['volume', 'rm', '-f', ...volumes]);
    await podman(['network', 'rm', '-f', this.network()]);
  }

  /** The project's network (docker-compose's default one). */
  network(): string {
    return `${this.options.project}_default`;
  }

  /** What of the project still exists: "container NAME", "volume NAME", "network NAME". */
  async leftovers(): Promise<string[]> {
    const filter = ['--filter', `label=${PROJECT_LABEL}=${this.options.project}`];
    const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');
    const containers = lines(await mustPodman(['ps', '-a', '--format', '{{.Names}}', ...filter]));
    const volumes = lines(await mustPodman(['volume', 'ls', '--format', '{{.Name}}', ...filter]));
    const networks = lines(await mustPodman(['network', 'ls', '--format', '{{.Name}}'])).filter((n) => n === this.network());
    return [...containers.map((c) => `container ${c}`), ...volumes.map((v) => `volume ${v}`), ...networks.map((n) => `network ${n}`)];
  }

  private env(): Record<string, string> {
    const env: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      if (value !== undefined && !/^(?:DOCKER_|COMPOSE_)/.test(key)) env[key] = value;
    }
    return { ...env, DOCKER_HOST: this.options.dockerHost, ...this.options.variables };
  }
}
