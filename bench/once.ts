/**
 * CLI benchmark: wall time of `ctmpl --once` as a process, against bare `node -e 0` startup.
 * Prints a Markdown table and one JSON line; asserts nothing.
 *
 *   npm run build && node dist/bench/once.js
 *
 * Runs are interleaved round-robin (one of each command per round) so a slow spell on the machine
 * hits every command alike; one untimed warm-up round comes first.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { catalogYaml, markdownTable, median, ROOT, round, shapeLabel, type CatalogShape } from './common.js';

const RUNS = 10;
const BIG: CatalogShape = { services: 100, perService: 100 };

interface Case {
  readonly key: string;
  readonly label: string;
  readonly args: readonly string[];
  /** File the run writes, whose size is reported. */
  readonly output?: string;
}

interface CaseResult {
  key: string;
  label: string;
  runs: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  ratioToBareNode: number;
  outputBytes: number | undefined;
}

/** Runs one process to completion; resolves with its wall time, rejects on a non-zero exit. */
function timeProcess(args: readonly string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else reject(new Error(`node ${args.join(' ')} exited with ${code ?? signal ?? '?'}\n${stderr}`));
    });
  });
}

async function fileSize(path: string | undefined): Promise<number | undefined> {
  if (path === undefined) return undefined;
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const bin = join(ROOT, 'dist/src/bin.js');
  if (!existsSync(bin)) {
    process.stderr.write(`${bin} does not exist: run npm run build first\n`);
    process.exitCode = 1;
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'ctmpl-bench-'));
  try {
    const bigCatalog = join(dir, 'catalog-10k.yaml');
    await writeFile(bigCatalog, catalogYaml(BIG));
    const once = (catalog: string, out: string): string[] => [
      bin,
      '--source',
      `file:${catalog}`,
      '-t',
      `templates/nginx-upstream.hbs:${out}`,
      '--once',
      '--log-level',
      'warn',
    ];
    const smallOut = join(dir, 'up.conf');
    const bigOut = join(dir, 'up-10k.conf');
    const cases: Case[] = [
      { key: 'bare-node', label: 'node -e 0 (baseline)', args: ['-e', '0'] },
      { key: 'version', label: 'ctmpl --version (module loading)', args: [bin, '--version'] },
      { key: 'once-example', label: 'ctmpl --once, examples/catalog.yaml', args: once('templates/examples/catalog.yaml', smallOut), output: smallOut },
      {
        key: 'once-10k',
        label: `ctmpl --once, ${(BIG.services * BIG.perService).toLocaleString('en-US')} instances (${shapeLabel(BIG)})`,
        args: once(bigCatalog, bigOut),
        output: bigOut,
      },
    ];

    const times = new Map<string, number[]>(cases.map((c) => [c.key, []]));
    const started = performance.now();
    for (let pass = 0; pass <= RUNS; pass++) {
      for (const c of cases) {
        // The --once runs rewrite nothing when the file is unchanged; remove it so each run writes.
        if (c.output !== undefined) await rm(c.output, { force: true });
        const ms = await timeProcess(c.args);
        if (pass > 0) times.get(c.key)?.push(ms);
      }
    }
    const totalS = round((performance.now() - started) / 1000, 1);

    const bare = median(times.get('bare-node') ?? []);
    const results: CaseResult[] = [];
    for (const c of cases) {
      const t = times.get(c.key) ?? [];
      results.push({
        key: c.key,
        label: c.label,
        runs: t.length,
        medianMs: round(median(t), 1),
        minMs: round(Math.min(...t), 1),
        maxMs: round(Math.max(...t), 1),
        ratioToBareNode: round(median(t) / bare, 2),
        outputBytes: await fileSize(c.output),
      });
    }

    console.log(`## ctmpl --once benchmark — node ${process.version}, ${RUNS} runs each after 1 warm-up, interleaved\n`);
    console.log(
      markdownTable(
        ['command', 'median ms', 'min ms', 'max ms', '× bare node', 'output KiB'],
        results.map((r) => [r.label, r.medianMs, r.minMs, r.maxMs, r.ratioToBareNode, r.outputBytes === undefined ? '–' : round(r.outputBytes / 1024, 1)]),
      ),
    );
    console.log(`\n(${totalS} s)`);
    console.log(JSON.stringify({ bench: 'once', node: process.version, runs: RUNS, cases: results }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
