import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { Resolver } from 'node:dns/promises';
import { waitFor } from './ctmpl.js';
import { freePort } from './ports.js';
import { registerCleanup, tempDir } from './tmp.js';

/** Debian's bind9 (`named`) and bind9-dnsutils (`nsupdate`); .ci/run installs them. */
function named(): string {
  for (const path of ['/usr/sbin/named', '/sbin/named']) {
    try {
      execFileSync(path, ['-v'], { stdio: 'ignore' });
      return path;
    } catch {
      // try the next place
    }
  }
  throw new Error('named is not installed: `apt-get install bind9 bind9-dnsutils` (bash .ci/run does it)');
}

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

/**
 * An authoritative DNS server (BIND 9, in the foreground) on a free loopback port, serving one
 * zone that accepts dynamic updates from 127.0.0.1. Stopped when the test or file ends.
 */
export async function startDns(zone = 'example.test'): Promise<DnsServer> {
  const binary = named();
  const dir = await tempDir('ctmpl-dns-');
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
  let child: ResultPromise | undefined;
  let output = '';
  const probe = new Resolver({ timeout: 500, tries: 1 });
  probe.setServers([`127.0.0.1:${port}`]);

  const kill = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    proc.kill('SIGKILL');
    await proc;
  };
  const start = async (): Promise<void> => {
    if (child && child.exitCode === null) return;
    const proc = execa(binary, ['-g', '-c', conf], { reject: false, stdin: 'ignore', all: true, buffer: false });
    proc.all?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
    });
    child = proc;
    await waitFor(
      async () => {
        if (proc.exitCode !== null) throw new Error(`named exited: ${output}`);
        const answer: string[] = await probe.resolve4(`ns.${zone}`).catch(() => []);
        return answer.includes('127.0.0.1');
      },
      { timeoutMs: 15_000, what: `named on port ${port}` },
    );
  };
  registerCleanup(kill);
  await start();
  return {
    address: `127.0.0.1:${port}`,
    zone,
    async update(lines) {
      const script = [`server 127.0.0.1 ${port}`, `zone ${zone}`, ...lines, 'send', ''].join('\n');
      const result = await execa('nsupdate', [], { input: script, reject: false, timeout: 10_000 });
      if (result.exitCode !== 0) throw new Error(`nsupdate failed: ${String(result.stderr)}\n${script}`);
    },
    kill,
    start,
  };
}
