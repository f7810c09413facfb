import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { readIfExists } from '../support/ctmpl.js';
import { freePort } from '../support/ports.js';
import { startDns } from '../support/dns.js';
import { errorsMatching, fileBecomes, holdsFor, infosMatching, newJob, watchSources } from '../support/registry-job.js';

/**
 * ctmpl against a real authoritative DNS server (BIND 9 from Debian) on a free loopback port.
 * SRV records are registered and removed with dynamic updates (nsupdate), as a registrar would.
 * Records have a 1 s TTL; ctmpl resolves again within 200 ms to 1 s.
 */
const LINE = '{{#each (service "_http._tcp.web.example.test")}}{{ID}} {{Node}} {{Address}}:{{Port}} p{{Meta.priority}} w{{Meta.weight}} {{Source}}\n{{/each}}';
const uri = (address: string): string => `dns://${address}?min_ttl=200ms&max_ttl=1s&timeout=500ms`;

describe('DNS SRV: (service "_http._tcp.NAME") lists SRV targets with their addresses', () => {
  test('follows SRV records as they are added and removed, re-resolving at the TTL', async () => {
    const dns = await startDns();
    await dns.update(['update add h1.example.test 1 A 10.0.0.1', 'update add _http._tcp.web.example.test 1 SRV 10 5 8080 h1.example.test.']);
    const job = await newJob(LINE);
    // The empty-service guard (specified elsewhere) would keep the last instances; allowed here.
    const config = join(job.dir, 'ctmpl.yaml');
    await writeFile(config, 'services:\n  "_http._tcp.web.example.test": { allow_empty: true }\n');
    const daemon = watchSources([uri(dns.address)], job, ['--config', config]);
    await fileBecomes(daemon, job.out, '10.0.0.1:8080 h1.example.test 10.0.0.1:8080 p10 w5 dns\n');

    // A second target with two addresses.
    await dns.update([
      'update add h2.example.test 1 A 10.0.0.2',
      'update add h2.example.test 1 A 10.0.0.3',
      'update add _http._tcp.web.example.test 1 SRV 20 1 9090 h2.example.test.',
    ]);
    await fileBecomes(daemon, job.out, '10.0.0.1:8080 h1.example.test 10.0.0.1:8080 p10 w5 dns\n10.0.0.2:9090 h2.example.test 10.0.0.2:9090 p20 w1 dns\n10.0.0.3:9090 h2.example.test 10.0.0.3:9090 p20 w1 dns\n');

    await dns.update(['update delete _http._tcp.web.example.test SRV 10 5 8080 h1.example.test.']);
    await fileBecomes(daemon, job.out, '10.0.0.2:9090 h2.example.test 10.0.0.2:9090 p20 w1 dns\n10.0.0.3:9090 h2.example.test 10.0.0.3:9090 p20 w1 dns\n');

    // No SRV records left: the name does not exist, which is an empty service (not an error).
    await dns.update(['update delete _http._tcp.web.example.test SRV']);
    await fileBecomes(daemon, job.out, '');
    expect(errorsMatching(daemon, /DNS/)).toEqual([]);
  });

  test('keeps the last answer while the DNS server is down, says so once, and follows changes when it is back', async () => {
    const dns = await startDns();
    await dns.update(['update add h1.example.test 1 A 10.0.0.1', 'update add _http._tcp.web.example.test 1 SRV 10 5 8080 h1.example.test.']);
    const job = await newJob(LINE);
    const daemon = watchSources([uri(dns.address)], job);
    const first = '10.0.0.1:8080 h1.example.test 10.0.0.1:8080 p10 w5 dns\n';
    await fileBecomes(daemon, job.out, first);

    await dns.kill();
    await daemon.waitFor(() => errorsMatching(daemon, /resolving SRV .* failed/).length > 0, { what: 'the failure logged' });
    await holdsFor(2500, async () => expect(await readIfExists(job.out)).toBe(first));
    expect(errorsMatching(daemon, /resolving SRV .* failed/)).toHaveLength(1);

    await dns.start();
    await dns.update(['update add _http._tcp.web.example.test 1 SRV 10 5 8081 h1.example.test.']);
    await fileBecomes(daemon, job.out, `${first}10.0.0.1:8081 h1.example.test 10.0.0.1:8081 p10 w5 dns\n`, 20_000);
    await daemon.waitFor(() => infosMatching(daemon, /answers again/).length > 0, { what: 'the recovery logged' });
  });

  test('stays failing in /status while one SRV name fails, however often another name answers', async () => {
    const dns = await startDns();
    await dns.update(['update add h1.example.test 1 A 10.0.0.1', 'update add _http._tcp.web.example.test 1 SRV 10 5 8080 h1.example.test.']);
    // A name outside the server's zone: it refuses it (no recursion) — a problem on that name only.
    const job = await newJob(`${LINE}{{#each (service "_http._tcp.api.elsewhere.test")}}{{ID}}\n{{/each}}`);
    const port = await freePort();
    const daemon = watchSources([uri(dns.address)], job, ['--listen', `127.0.0.1:${port}`]);
    await daemon.waitFor(() => errorsMatching(daemon, /resolving SRV "_http\._tcp\.api\.elsewhere\.test" failed/).length > 0, { what: 'the refused name logged' });
    const status = async (): Promise<{ failing: boolean; problems: { problem: string }[] }> => {
      const body = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as { sources: { failing: boolean; problems: { problem: string }[] }[] };
      return body.sources[0] as { failing: boolean; problems: { problem: string }[] };
    };
    // The other name is answered again every second meanwhile: that must not hide the open problem.
    await holdsFor(3000, async () => expect(await status()).toMatchObject({ failing: true }));
    expect((await status()).problems.map((p) => p.problem)).toEqual([expect.stringMatching(/resolving failed/)]);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/ctmpl_source_failing\{source="dns"\} 1/);
  });
});
