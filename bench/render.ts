/**
 * Render benchmark: the shipped nginx-upstream template over generated 10,000-instance catalogs,
 * through the real code path (parseCatalog → answer() per dependency → compileTemplate().render()).
 * Prints a Markdown table and one JSON line; asserts nothing.
 *
 *   npm run build && node --expose-gc dist/bench/render.js
 *
 * Without --expose-gc the memory figures are taken without a forced collection first.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Store } from '../src/feed/store.js';
import type { DependencyValue } from '../src/catalog/types.js';
import { parseCatalog, type Catalog } from '../src/registries/file/catalog.js';
import { answer } from '../src/registries/file/source.js';
import { compileTemplate, type CompiledTemplate, type RenderResult } from '../src/template/engine.js';
import type { RenderInputs } from '../src/template/render-context.js';
import { sourcesByName } from '../src/registries/list.js';
import { catalogYaml, markdownTable, median, mib, quantile, ROOT, round, shapeLabel, type CatalogShape } from './common.js';

const SHAPES: readonly CatalogShape[] = [
  { services: 1, perService: 10_000 },
  { services: 100, perService: 100 },
];
const PARSE_RUNS = 5;
const WARMUP_RENDERS = 10;
const TIMED_RENDERS = 50;
const FINGERPRINT_RUNS = 20;
/** The name loadConfig gives `--source file:PATH`. */
const SOURCE = 'file';

interface CaseResult {
  shape: string;
  services: number;
  instances: number;
  yamlBytes: number;
  parseFirstMs: number;
  parseMedianMs: number;
  /** From an empty Map to a complete render: renders, answer() for each new dependency. */
  discoveryMs: number;
  discoveryPasses: number;
  dependencies: number;
  /** answer() for every dependency again, as a catalog reload re-delivers each watched one. */
  answerAllMedianMs: number;
  renderMedianMs: number;
  renderP90Ms: number;
  renderMinMs: number;
  outputBytes: number;
  outputServers: number;
  /** JSON.stringify of every dependency's value (what Store.set computes on each delivery). */
  fingerprintAllMedianMs: number;
  /** JSON.stringify of the largest single value. */
  fingerprintLargestMedianMs: number;
  largestValueInstances: number;
  fingerprintBytes: number;
  /** Store.set with unchanged data (a catalog saved unchanged): stringify + compare. */
  storeResetMedianMs: number;
  heapUsedMiB: number;
  rssMiB: number;
  /** Highest RSS of the process so far (this case and the ones before it). */
  peakRssMiB: number;
}

function time<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

function collect(): void {
  globalThis.gc?.();
}

function inputsFor(values: ReadonlyMap<string, DependencyValue>, sandbox: string): RenderInputs {
  return {
    defaultSource: SOURCE,
    sources: sourcesByName([[SOURCE, 'file']]),
    lookup: (id) => values.get(id),
    sandbox,
    env: {},
  };
}

/**
 * What the runner does between data arriving and a file being written, minus the I/O: render;
 * each dependency the pass used without data gets its answer; render again until complete.
 */
function renderUntilComplete(
  compiled: CompiledTemplate,
  catalog: Catalog,
  values: Map<string, DependencyValue>,
  inputs: RenderInputs,
): { result: RenderResult; passes: number } {
  for (let passes = 1; ; passes++) {
    const result = compiled.render(inputs);
    if (result.output !== undefined) return { result, passes };
    let added = 0;
    for (const [id, dep] of result.context.used) {
      if (values.has(id)) continue;
      values.set(id, answer(catalog, dep));
      added++;
    }
    if (added === 0) throw new Error(`render cannot complete; waiting for ${[...result.context.waiting].join(', ')}`);
  }
}

function runCase(shape: CatalogShape, compiled: CompiledTemplate, sandbox: string): CaseResult {
  const yaml = catalogYaml(shape);
  const path = `generated-${shape.services}x${shape.perService}.yaml`;

  const parseTimes: number[] = [];
  let catalog: Catalog | undefined;
  for (let i = 0; i < PARSE_RUNS + 1; i++) {
    const t = time(() => parseCatalog(path, yaml, SOURCE));
    parseTimes.push(t.ms);
    catalog = t.value;
  }
  if (!catalog) throw new Error('no catalog');
  const cat = catalog;
  const instances = [...cat.services.values()].reduce((n, list) => n + list.length, 0);

  const values = new Map<string, DependencyValue>();
  const inputs = inputsFor(values, sandbox);
  const discovery = time(() => renderUntilComplete(compiled, cat, values, inputs));
  const { result, passes } = discovery.value;
  const deps = result.context.used;

  const answerTimes: number[] = [];
  for (let i = 0; i < 10; i++) {
    answerTimes.push(time(() => {
      for (const dep of deps.values()) answer(cat, dep);
    }).ms);
  }

  for (let i = 0; i < WARMUP_RENDERS; i++) compiled.render(inputs);
  const renderTimes: number[] = [];
  let output = '';
  for (let i = 0; i < TIMED_RENDERS; i++) {
    const t = time(() => compiled.render(inputs));
    if (t.value.output === undefined) throw new Error('a render with every value present was incomplete');
    output = t.value.output;
    renderTimes.push(t.ms);
  }

  const entries = [...values.entries()];
  let largest: DependencyValue = null;
  let largestSize = -1;
  for (const [, value] of entries) {
    const size = Array.isArray(value) ? value.length : 0;
    if (size > largestSize) {
      largest = value;
      largestSize = size;
    }
  }
  const fpAll: number[] = [];
  const fpLargest: number[] = [];
  let fingerprintBytes = 0;
  for (let i = 0; i < FINGERPRINT_RUNS; i++) {
    fpAll.push(time(() => {
      fingerprintBytes = 0;
      for (const [, value] of entries) fingerprintBytes += JSON.stringify(value).length;
    }).ms);
    fpLargest.push(time(() => JSON.stringify(largest)).ms);
  }
  const store = new Store();
  for (const [id, value] of entries) store.set(id, value);
  const storeTimes: number[] = [];
  for (let i = 0; i < FINGERPRINT_RUNS; i++) {
    // Fresh arrays with equal content: what a reload of an unchanged catalog delivers.
    const redelivered = entries.map(([id]) => {
      const dep = deps.get(id);
      if (!dep) throw new Error(`no dependency recorded for ${id}`);
      return [id, answer(cat, dep)] as const;
    });
    storeTimes.push(time(() => {
      for (const [id, value] of redelivered) if (store.set(id, value)) throw new Error(`unchanged data counted as a change for ${id}`);
    }).ms);
  }

  collect();
  const mem = process.memoryUsage();
  // Keep what a running daemon would hold alive until the measurement is taken.
  void [cat, values, output, store].length;

  return {
    shape: shapeLabel(shape),
    services: shape.services,
    instances,
    yamlBytes: Buffer.byteLength(yaml),
    parseFirstMs: round(parseTimes[0] ?? Number.NaN, 1),
    parseMedianMs: round(median(parseTimes.slice(1)), 1),
    discoveryMs: round(discovery.ms),
    discoveryPasses: passes,
    dependencies: deps.size,
    answerAllMedianMs: round(median(answerTimes)),
    renderMedianMs: round(median(renderTimes)),
    renderP90Ms: round(quantile(renderTimes, 0.9)),
    renderMinMs: round(Math.min(...renderTimes)),
    outputBytes: Buffer.byteLength(output),
    outputServers: output.split('\n').filter((l) => l.trimStart().startsWith('server ')).length,
    fingerprintAllMedianMs: round(median(fpAll)),
    fingerprintLargestMedianMs: round(median(fpLargest)),
    largestValueInstances: largestSize,
    fingerprintBytes,
    storeResetMedianMs: round(median(storeTimes)),
    heapUsedMiB: mib(mem.heapUsed),
    rssMiB: mib(mem.rss),
    peakRssMiB: mib(process.resourceUsage().maxRSS * 1024),
  };
}

function main(): void {
  const templatePath = join(ROOT, 'templates/nginx-upstream.hbs');
  const compiled = compileTemplate(templatePath, readFileSync(templatePath, 'utf8'));
  const sandbox = realpathSync(join(ROOT, 'templates'));
  const started = performance.now();
  const results = SHAPES.map((shape) => runCase(shape, compiled, sandbox));
  const totalS = round((performance.now() - started) / 1000, 1);

  console.log(`## ctmpl render benchmark — templates/nginx-upstream.hbs, node ${process.version}`);
  console.log(`${TIMED_RENDERS} timed renders after ${WARMUP_RENDERS} warm-up; gc before memory: ${globalThis.gc ? 'yes' : 'no (run with --expose-gc)'}\n`);
  const col = (f: (r: CaseResult) => string | number): (string | number)[] => results.map(f);
  const rows: [string, ...(string | number)[]][] = [
    ['instances (services × per service)', ...col((r) => `${r.instances.toLocaleString('en-US')} (${r.shape})`)],
    ['catalog YAML size (KiB)', ...col((r) => round(r.yamlBytes / 1024, 0))],
    ['parseCatalog, first (ms)', ...col((r) => r.parseFirstMs)],
    [`parseCatalog, median of ${PARSE_RUNS} (ms)`, ...col((r) => r.parseMedianMs)],
    ['discovery to complete render (ms, passes)', ...col((r) => `${r.discoveryMs} (${r.discoveryPasses})`)],
    ['answer() for all deps, median (ms, deps)', ...col((r) => `${r.answerAllMedianMs} (${r.dependencies})`)],
    ['complete render, median (ms)', ...col((r) => r.renderMedianMs)],
    ['complete render, p90 (ms)', ...col((r) => r.renderP90Ms)],
    ['complete render, min (ms)', ...col((r) => r.renderMinMs)],
    ['output size (KiB, server lines)', ...col((r) => `${round(r.outputBytes / 1024, 0)} (${r.outputServers})`)],
    ['JSON.stringify all values, median (ms)', ...col((r) => r.fingerprintAllMedianMs)],
    ['JSON.stringify largest value, median (ms, instances)', ...col((r) => `${r.fingerprintLargestMedianMs} (${r.largestValueInstances})`)],
    ['fingerprint size (KiB)', ...col((r) => round(r.fingerprintBytes / 1024, 0))],
    ['Store.set unchanged re-delivery, median (ms)', ...col((r) => r.storeResetMedianMs)],
    ['heap used after (MiB)', ...col((r) => r.heapUsedMiB)],
    ['RSS after (MiB)', ...col((r) => r.rssMiB)],
    ['peak RSS so far (MiB)', ...col((r) => r.peakRssMiB)],
  ];
  console.log(markdownTable(['measure', ...results.map((r) => r.shape)], rows));
  console.log(`\n(${totalS} s)`);
  console.log(JSON.stringify({ bench: 'render', node: process.version, template: 'templates/nginx-upstream.hbs', renders: TIMED_RENDERS, gc: globalThis.gc !== undefined, cases: results }));
}

main();
