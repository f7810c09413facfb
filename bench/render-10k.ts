/**
 * Scenario 3, render: one nginx upstream over one service of 10,000 instances in a real Consul.
 * - ctmpl in-process (this process, ctmpl's own modules from dist/src): the health reply is
 *   fetched once, then JSON.parse, instancesFromHealth (normalize, sort, freeze), the store's
 *   change check, and the template render are each timed over BENCH_RENDER_REPEATS (50) runs after
 *   10 warm-ups; consul-template has no such hook, so only ctmpl gets these rows.
 * - Whole process, both tools: `--once` from spawn to exit (fetch, decode, render, write),
 *   BENCH_RENDER_RUNS (5) runs each after one warm-up, interleaved; medians.
 * BENCH_RENDER_INSTANCES changes the size (10000).
 *
 *   npm run bench:render
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Store } from '../src/feed/store.js';
import type { Dependency, DependencyValue } from '../src/catalog/types.js';
import { instancesFromHealth } from '../src/registries/consul/normalize.js';
import { compileTemplate } from '../src/template/engine.js';
import type { RenderInputs } from '../src/template/render-context.js';
import { sourcesByName } from '../src/registries/list.js';
import { registerCatalog, startConsul } from '../test/support/consul.js';
import { tempDir } from '../test/support/tmp.js';
import { isMain, median, middle, progress, quantile, round } from './common.js';
import { scaleInstances } from './scale.js';
import { BENCH_AGENT_CONFIG, byColumn, comparison, consulTemplateTool, CONSUL_TEMPLATE_COLUMN, ctmplTools, readOrEmpty, runOnce, type ScenarioReport, type TemplatePair, type Tool } from './tools.js';

const INSTANCES = Number(process.env.BENCH_RENDER_INSTANCES ?? 10_000);
const RUNS = Number(process.env.BENCH_RENDER_RUNS ?? 5);
const REPEATS = Number(process.env.BENCH_RENDER_REPEATS ?? 50);
const WARMUP = 10;

const BIG: TemplatePair = {
  hbs: 'upstream big {\n{{#each (service "big")}}  server {{Address}}:{{Port}};\n{{/each}} }\n',
  go: 'upstream big {\n{{range service "big"}}  server {{.Address}}:{{.Port}};\n{{end}} }\n',
};

interface Timed {
  medianMs: number;
  p90Ms: number;
}

function timeRepeated(fn: () => unknown): Timed {
  for (let i = 0; i < WARMUP; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return { medianMs: round(median(times), 2), p90Ms: round(quantile(times, 0.9), 2) };
}

/** ctmpl's own steps over the reply, in this process. */

function inProcess(bodyText: string, templatePath: string, templateText: string): { jsonParse: Timed; normalize: Timed; storeUnchanged: Timed; render: Timed; servers: number } {
  const compiled = compileTemplate(templatePath, templateText);
  const values = new Map<string, DependencyValue>();
  const inputs: RenderInputs = { defaultSource: 'consul', sources: sourcesByName([['consul', 'consul']]), lookup: (id) => values.get(id), sandbox: '/', env: {} };
  // First pass: learn the dependency the template asks for, then answer it.
  const first = compiled.render(inputs);
  const deps = [...first.context.used.entries()];
  if (deps.length !== 1) throw new Error(`expected one dependency, got ${deps.length}`);
  const [id, dep] = deps[0] as [string, Dependency];
  if (dep.kind !== 'service') throw new Error('expected a service dependency');
  const body = JSON.parse(bodyText) as unknown;
  const instances = instancesFromHealth(body, dep.status, 'consul', 'dc1');
  values.set(id, instances);
  const out = compiled.render(inputs).output ?? '';
  const store = new Store();
  store.set(id, instances);
  return {
    jsonParse: timeRepeated(() => JSON.parse(bodyText)),
    normalize: timeRepeated(() => instancesFromHealth(body, dep.status, 'consul', 'dc1')),
    storeUnchanged: timeRepeated(() => store.set(id, instancesFromHealth(body, dep.status, 'consul', 'dc1'))),
    render: timeRepeated(() => compiled.render(inputs)),
    servers: out.split('\n').filter((l) => l.startsWith('  server ')).length,
  };
}

export async function runRender(): Promise<ScenarioReport> {
  const startedAt = performance.now();
  const tools = [...ctmplTools(), consulTemplateTool()];
  const agent = await startConsul({ config: BENCH_AGENT_CONFIG });
  try {
    const instances = scaleInstances(1, INSTANCES, 'big').map((i) => ({ ...i, service: 'big', id: `big-${i.id.slice('big-0000-'.length)}` }));
    await registerCatalog(agent, instances);
    progress(`render: ${INSTANCES} instances of "big" registered`);
    const res = await fetch(`http://${agent.address}/v1/health/service/big?passing=1&stale=1`);
    const bodyText = await res.text();
    const dir = await tempDir('ctmpl-bench-render-');
    const ctmplTemplate = tools[0]?.writeTemplate(dir, 'big', BIG) ?? '';
    const steps = inProcess(bodyText, ctmplTemplate, BIG.hbs);
    progress(`render: ctmpl renders ${steps.servers} servers in ${steps.render.medianMs} ms`);

    const times = new Map<Tool, number[]>(tools.map((t) => [t, []]));
    const outputs = new Map<Tool, string>();
    for (let pass = 0; pass <= RUNS; pass++) {
      for (const tool of pass % 2 === 0 ? tools : [...tools].reverse()) {
        const out = join(dir, `${tool.kind}.conf`);
        rmSync(out, { force: true });
        const ms = await runOnce(tool, { consulAddr: agent.address, template: tool.writeTemplate(dir, `big-${tool.kind}`, BIG), destination: out, wait: '0' });
        if (pass > 0) times.get(tool)?.push(ms);
        outputs.set(tool, readOrEmpty(out));
      }
    }
    const texts = [...outputs.values()];
    const identical = texts.every((t) => t === texts[0]) && (texts[0]?.length ?? 0) > 0;
    const wall = byColumn(tools, tools.map((t) => round(middle(times.get(t) ?? []), 0)));
    const title = `Render — one template over ${INSTANCES.toLocaleString('en-US')} instances of one service`;
    const columns = tools.map((t) => t.column);
    // The in-process steps run in this benchmark's own Node, with this checkout's modules.
    const here = tools.find((t) => t.kind === 'ctmpl' && t.node?.path === process.execPath)?.column ?? `ctmpl node ${process.versions.node.split('.')[0]}`;
    const own = (value: number | string): Record<string, number | string> => ({ [here]: value, [CONSUL_TEMPLATE_COLUMN]: '–' });
    const details = [
      `### ${title}`,
      '',
      comparison(
        ['measure'],
        [
          { lead: [`--once whole process, median of ${RUNS} (ms)`], values: wall },
          { lead: ['in-process (this build): template render, median (p90) (ms)'], values: own(`${steps.render.medianMs} (${steps.render.p90Ms})`) },
          { lead: ['in-process: JSON.parse of the reply (ms)'], values: own(steps.jsonParse.medianMs) },
          { lead: ['in-process: instancesFromHealth (ms)'], values: own(steps.normalize.medianMs) },
          { lead: ['in-process: normalize + store check, same data (ms)'], values: own(steps.storeUnchanged.medianMs) },
        ],
        columns,
      ),
      '',
      `Reply: ${round(bodyText.length / 1024 / 1024, 1)} MiB of JSON. All files identical: ${identical ? 'yes' : 'NO'}.`,
    ].join('\n');
    return {
      key: 'render',
      title,
      details,
      summary: [
        { scenario: '3 render', measure: `ms per render (${INSTANCES / 1000}k instances), in-process`, values: own(steps.render.medianMs) },
        { scenario: '3 render', measure: '--once whole process (ms)', values: wall },
      ],
      seconds: round((performance.now() - startedAt) / 1000, 1),
      data: { instances: INSTANCES, runs: RUNS, repeats: REPEATS, replyBytes: bodyText.length, identicalOutput: identical, inProcess: steps, onceMs: Object.fromEntries(tools.map((t) => [t.label, times.get(t)?.map((x) => round(x, 1))])), onceMedianMs: wall },
    };
  } finally {
    await agent.stop();
  }
}

if (isMain(import.meta.url)) {
  const report = await runRender();
  console.log(`${report.details}\n\n(${report.seconds} s)`);
  console.log(JSON.stringify({ bench: report.key, node: process.version, ...(report.data as object) }));
}
