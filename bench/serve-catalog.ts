/**
 * For profiling by hand: starts a Consul dev agent with a benchmark's catalog and keeps it up
 * until Ctrl-C, printing its address.
 *
 *   node dist/bench/serve-catalog.js [services] [instances per service]   (default 1000 10)
 *   node --cpu-prof dist/src/bin.js --consul-addr ADDRESS -t upstreams.hbs:/tmp/up.conf --wait 0
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerCatalog, startConsul } from '../test/support/consul.js';
import { tempDir } from '../test/support/tmp.js';
import { scaleInstances, UPSTREAMS } from './scale.js';
import { BENCH_AGENT_CONFIG } from './tools.js';

const services = Number(process.argv[2] ?? 1000);
const perService = Number(process.argv[3] ?? 10);
const agent = await startConsul({ config: BENCH_AGENT_CONFIG });
await registerCatalog(agent, scaleInstances(services, perService));
const dir = await tempDir('ctmpl-bench-serve-');
writeFileSync(join(dir, 'upstreams.hbs'), UPSTREAMS.hbs);
writeFileSync(join(dir, 'upstreams.tpl'), UPSTREAMS.go);
console.log(`Consul at ${agent.address} with ${services} × ${perService}; templates in ${dir}; Ctrl-C stops it`);
await new Promise(() => undefined);
