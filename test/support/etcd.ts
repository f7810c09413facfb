import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { execa } from 'execa';
import { registerCleanup, type CleanupRegistrar } from './cleanup.js';
import { freePorts } from './ports.js';
import { spawnServer, type ServerProcess } from './process.js';
import { requireProgram } from './programs.js';
import { tempDir } from './tmp.js';
import { waitFor } from './wait.js';

/** Debian's etcd-server (`etcd`) and etcd-client (`etcdctl`); .ci/run installs them. */
export function etcdBinary(): string {
  return requireProgram('etcd', 'etcd-server etcd-client');
}

export interface EtcdMember {
  readonly name: string;
  /** 127.0.0.1:port of its client API. */
  readonly endpoint: string;
  readonly clientPort: number;
  readonly running: boolean;
  /** SIGKILL: the member is lost (its data dir stays, so it can start again). */
  kill(): Promise<void>;
  start(): Promise<void>;
}

export interface EtcdCluster {
  readonly members: readonly EtcdMember[];
  /** Every member's client endpoint, `127.0.0.1:port,…` (for an etcd:// URI). */
  readonly endpoints: string;
  /** A client of the test's own (closed when the test ends), talking to the live members. */
  client(members?: readonly EtcdMember[]): Etcd3;
  /** Runs etcdctl against the given members (default: all running ones); returns stdout. */
  etcdctl(args: readonly string[], members?: readonly EtcdMember[]): Promise<string>;
  stop(): Promise<void>;
}

export interface EtcdOptions {
  /** Where its stop is registered (default: the end of the test, or of the process). */
  readonly cleanup?: CleanupRegistrar;
}

/** A member as startEtcd drives it. */
interface MemberControl extends EtcdMember {
  launch(initial: boolean): void;
  waitHealthy(): Promise<void>;
}

/**
 * An etcd cluster of `size` members on free loopback ports, each in its own temp data dir,
 * stopped (SIGKILL) when the test or file (or benchmark) ends. Short heartbeats so a lost leader
 * is replaced in about a second.
 */
export async function startEtcd(size = 1, options: EtcdOptions = {}): Promise<EtcdCluster> {
  const cleanup = options.cleanup ?? registerCleanup;
  const binary = etcdBinary();
  const dir = await tempDir('ctmpl-etcd-', cleanup);
  const ports = await freePorts(size * 2);
  const specs = Array.from({ length: size }, (_, i) => ({ name: `m${i}`, client: ports[i * 2] as number, peer: ports[i * 2 + 1] as number }));
  const initialCluster = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peer}`).join(',');
  const clients: Etcd3[] = [];

  const members = specs.map((spec): MemberControl => {
    let proc: ServerProcess | undefined;
    let started = false;
    const member: MemberControl = {
      name: spec.name,
      endpoint: `127.0.0.1:${spec.client}`,
      clientPort: spec.client,
      get running() {
        return proc?.running === true;
      },
      launch(initial) {
        proc = spawnServer(binary, [
          '--name', spec.name, '--data-dir', join(dir, spec.name),
          '--listen-client-urls', `http://127.0.0.1:${spec.client}`, '--advertise-client-urls', `http://127.0.0.1:${spec.client}`,
          '--listen-peer-urls', `http://127.0.0.1:${spec.peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${spec.peer}`,
          '--initial-cluster', initialCluster, '--initial-cluster-state', initial ? 'new' : 'existing',
          '--heartbeat-interval', '50', '--election-timeout', '500', '--log-level', 'warn', '--logger', 'zap',
        ]);
        started = true;
      },
      async waitHealthy() {
        const current = proc;
        await waitFor(
          async () => {
            if (current && !current.running) throw new Error(`etcd ${spec.name} exited: ${current.output()}`);
            const res = await fetch(`http://127.0.0.1:${spec.client}/health`).catch(() => undefined);
            return res !== undefined && res.ok && ((await res.json()) as { health?: string }).health === 'true';
          },
          { timeoutMs: 20_000, what: `etcd member ${spec.name} to be healthy` },
        );
      },
      async kill() {
        const current = proc;
        proc = undefined;
        await current?.stop('SIGKILL');
      },
      async start() {
        if (member.running) return;
        member.launch(!started);
        await member.waitHealthy();
      },
    };
    return member;
  });

  const stop = async (): Promise<void> => {
    for (const c of clients.splice(0)) c.close();
    await Promise.all(members.map((m) => m.kill()));
  };
  cleanup(stop);
  for (const m of members) m.launch(true);
  await Promise.all(members.map((m) => m.waitHealthy()));

  const live = (chosen?: readonly EtcdMember[]): EtcdMember[] => (chosen ?? members).filter((m) => m.running);
  return {
    members,
    endpoints: members.map((m) => m.endpoint).join(','),
    client(chosen) {
      const client = new Etcd3({ hosts: live(chosen).map((m) => `http://${m.endpoint}`) });
      clients.push(client);
      return client;
    },
    async etcdctl(args, chosen) {
      // Right after a member is lost the others may still be electing a leader: a command that
      // times out is tried again (the tests' commands are idempotent), within a deadline.
      return waitFor(
        async () => {
          const result = await execa('etcdctl', ['--endpoints', live(chosen).map((m) => m.endpoint).join(','), '--command-timeout', '5s', ...args], {
            env: { ETCDCTL_API: '3' },
            reject: false,
            timeout: 15_000,
          });
          if (result.exitCode === 0) return String(result.stdout);
          const stderr = String(result.stderr);
          if (/deadline exceeded|leader changed|no leader|unavailable/i.test(stderr)) throw new Error(stderr);
          throw new Error(`etcdctl ${args.join(' ')} failed: ${stderr}`);
        },
        { timeoutMs: 20_000, intervalMs: 200, what: `etcdctl ${args.join(' ')}` },
      );
    },
    stop,
  };
}

/** Loopback TCP ports process `pid` has established connections to (read from /proc). */
export function connectedPorts(pid: number): Set<number> {
  const out = execFileSync('ss', ['-Htnp', 'state', 'established'], { encoding: 'utf8' });
  const ports = new Set<number>();
  for (const line of out.split('\n')) {
    if (!line.includes(`pid=${pid},`)) continue;
    const peer = line.trim().split(/\s+/)[3] ?? '';
    const port = Number(peer.slice(peer.lastIndexOf(':') + 1));
    if (Number.isInteger(port)) ports.add(port);
  }
  return ports;
}
