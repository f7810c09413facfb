import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Resolver } from 'node:dns/promises';
import { execa } from 'execa';
import { registerCleanup, type CleanupRegistrar } from './cleanup.js';
import { freePort } from './ports.js';
import { spawnServer, type ServerProcess } from './process.js';
import { requireProgram } from './programs.js';
import { tempDir } from './tmp.js';
import { waitFor } from './wait.js';

/** Debian's bind9 (`named`) and bind9-dnsutils (`nsupdate`); .ci/run installs them. */
const BIND_PACKAGES = 'bind9 bind9-dnsutils';

export interface DnsServer {
  /** 127.0.0.1:port (UDP and TCP). */
  readonly address: string;
  readonly zone: string;
  /** Sends one dynamic update (RFC 2136) through nsupdate: lines such as `update add NAME TTL SRV …`. */
  update(lines: readonly string[]): Promise<void>;
  /** SIGKILL (an outage); start() brings it back on the same port with the zone as it was. */
  kill(): Promise<void>;
  start(): Promise<void>;
}

export interface DnsOptions {
  /** Where its stop is registered (default: the end of the test, or of the process). */
  readonly cleanup?: CleanupRegistrar;
}

/**
 * An authoritative DNS server (BIND 9, in the foreground) on a free loopback port, serving one
 * zone that accepts dynamic updates from 127.0.0.1. Stopped when the test or file (or benchmark)
 * ends.
 */
export async function startDns(zone = 'example.test', options: DnsOptions = {}): Promise<DnsServer> {
  const cleanup = options.cleanup ?? registerCleanup;
  const binary = requireProgram('named', BIND_PACKAGES);
  const nsupdate = requireProgram('nsupdate', BIND_PACKAGES);
  const dir = await tempDir('ctmpl-dns-', cleanup);
  const port = await freePort();
  const conf = join(dir, 'named.conf');
  await writeFile(
    conf,
    `options {
  directory "${dir}";
  pid-file "${dir}/named.pid";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  allow-query { 127.0.0.1; };
  notify no;
};
controls { };
zone "${zone}" {
  type primary;
  file "${dir}/${zone}.zone";
  allow-update { 127.0.0.1; };
};
`,
  );
  await writeFile(join(dir, `${zone}.zone`), `$TTL 1\n@ IN SOA ns.${zone}. admin.${zone}. 1 60 60 600 1\n@ IN NS ns.${zone}.\nns IN A 127.0.0.1\n`);
  let named: ServerProcess | undefined;
  const probe = new Resolver({ timeout: 500, tries: 1 });
  probe.setServers([`127.0.0.1:${port}`]);

  const kill = async (): Promise<void> => {
    const proc = named;
    named = undefined;
    await proc?.stop('SIGKILL');
  };
  const start = async (): Promise<void> => {
    if (named?.running) return;
    const proc = spawnServer(binary, ['-g', '-c', conf]);
    named = proc;
    await waitFor(
      async () => {
        if (!proc.running) throw new Error(`named exited: ${proc.output()}`);
        const answer: string[] = await probe.resolve4(`ns.${zone}`).catch(() => []);
        return answer.includes('127.0.0.1');
      },
      { timeoutMs: 15_000, what: `named on port ${port}` },
    );
  };
  cleanup(kill);
  await start();
  return {
    address: `127.0.0.1:${port}`,
    zone,
    async update(lines) {
      const script = [`server 127.0.0.1 ${port}`, `zone ${zone}`, ...lines, 'send', ''].join('\n');
      const result = await execa(nsupdate, [], { input: script, reject: false, timeout: 10_000 });
      if (result.exitCode !== 0) throw new Error(`nsupdate failed: ${String(result.stderr)}\n${script}`);
    },
    kill,
    start,
  };
}
