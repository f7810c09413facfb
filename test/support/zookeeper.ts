import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { ZkSession, type ZkDigestAuth } from '../../src/registries/zookeeper/client.js';
import { registerCleanup, type CleanupRegistrar } from './cleanup.js';
import { freePort } from './ports.js';
import { spawnServer } from './process.js';
import { tempDir } from './tmp.js';
import { waitFor } from './wait.js';

/** Debian's zookeeper package: the server jar and its dependencies. .ci/run installs it. */
const ZK_CLASSPATH = ['/etc/zookeeper/conf', '/usr/share/java/zookeeper.jar'];

export function zookeeperInstalled(): void {
  if (!existsSync('/usr/share/java/zookeeper.jar')) throw new Error('ZooKeeper is not installed: `apt-get install zookeeper` (bash .ci/run does it)');
}

export interface ZooKeeperServer {
  /** 127.0.0.1:port */
  readonly address: string;
  /** A client session of the test's own (closed when the test ends), authenticated when `auth` is given. */
  session(auth?: ZkDigestAuth): Promise<ZkSession>;
  stop(): Promise<void>;
}

/** Sends a four-letter command and returns the answer ('' when the server does not answer). */
function fourLetters(port: number, command: string): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = createConnection({ host: '127.0.0.1', port }, () => socket.end(command));
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('error', () => resolve(''));
    socket.on('close', () => resolve(answer));
  });
}

export interface ZooKeeperOptions {
  /** Where its stop is registered (default: the end of the test, or of the process). */
  readonly cleanup?: CleanupRegistrar;
}

/**
 * A standalone ZooKeeper (Java, Debian's package) on a free loopback port with a temp dataDir,
 * its admin server off, sessions allowed from 400 ms to 60 s (tickTime 200 ms). Stopped when the
 * test or file (or benchmark) ends.
 */
export async function startZooKeeper(options: ZooKeeperOptions = {}): Promise<ZooKeeperServer> {
  zookeeperInstalled();
  const cleanup = options.cleanup ?? registerCleanup;
  const dir = await tempDir('ctmpl-zk-', cleanup);
  const port = await freePort();
  const config = join(dir, 'zoo.cfg');
  await writeFile(
    config,
    [
      'tickTime=200', `dataDir=${join(dir, 'data')}`, `clientPort=${port}`, 'clientPortAddress=127.0.0.1',
      'admin.enableServer=false', 'minSessionTimeout=400', 'maxSessionTimeout=60000', '4lw.commands.whitelist=ruok,cons',
      'maxClientCnxns=0', '',
    ].join('\n'),
  );
  const server = spawnServer('java', [
    '-Xmx256m', '-cp', ZK_CLASSPATH.join(':'), `-Dzookeeper.log.dir=${dir}`, '-Dzookeeper.root.logger=WARN,CONSOLE',
    'org.apache.zookeeper.server.quorum.QuorumPeerMain', config,
  ]);
  const sessions: ZkSession[] = [];
  const stop = async (): Promise<void> => {
    for (const s of sessions.splice(0)) s.close();
    await server.stop('SIGKILL');
  };
  cleanup(stop);
  await waitFor(
    async () => {
      if (!server.running) throw new Error(`ZooKeeper exited: ${server.output()}`);
      return (await fourLetters(port, 'ruok')) === 'imok';
    },
    { timeoutMs: 20_000, what: `ZooKeeper on port ${port}` },
  );
  return {
    address: `127.0.0.1:${port}`,
    async session(auth) {
      const session = new ZkSession([`127.0.0.1:${port}`], 30_000, () => undefined, auth);
      sessions.push(session);
      session.connect();
      await session.connected(10_000);
      return session;
    },
    stop,
  };
}

/** The identity a digest ACL names: `user:base64(sha1("user:password"))`, as ZooKeeper's DigestAuthenticationProvider computes it. */
export function digestId(user: string, password: string): string {
  return `${user}:${createHash('sha1').update(`${user}:${password}`).digest('base64')}`;
}

/** Curator's JSON for one service instance, as ServiceDiscovery writes it. */
export function curatorInstance(name: string, id: string, address: string, port: number, payload: unknown = null): string {
  return JSON.stringify({ name, id, address, port, sslPort: null, payload, registrationTimeUTC: Date.now(), serviceType: 'DYNAMIC', uriSpec: null });
}

/** The znode name Dubbo registers for a provider: its URL, URL-encoded. */
export function dubboProvider(iface: string, hostPort: string, params: Record<string, string> = {}): string {
  const query = new URLSearchParams({ anyhost: 'true', application: 'demo', interface: iface, side: 'provider', ...params }).toString();
  return encodeURIComponent(`dubbo://${hostPort}/${iface}?${query}`);
}
