/**
 * Shared pieces of the benchmarks: synthetic catalogs and small statistics. The benchmarks print
 * figures; they assert nothing.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from '../test/support/programs.js';

/** The repository root, whether run from bench/ (tsx) or dist/bench/ (compiled). */
export const ROOT = REPO_ROOT;

export interface CatalogShape {
  readonly services: number;
  readonly perService: number;
}

export function shapeLabel(shape: CatalogShape): string {
  return `${shape.services} × ${shape.perService.toLocaleString('en-US')}`;
}

/** Instance i as 10.x.y.z (z never 0 or 255), unique across the whole catalog. */
export function address(i: number): string {
  const host = 1 + (i % 254);
  const rest = Math.floor(i / 254);
  return `10.${(rest >> 8) & 255}.${rest & 255}.${host}`;
}

/**
 * A catalog file's YAML text: `services` services of `perService` instances each, every instance
 * passing (so every one reaches the output), with tags, meta and a node like the shipped example.
 */
export function catalogYaml(shape: CatalogShape): string {
  const lines = ['datacenter: dc1', 'services:'];
  let i = 0;
  for (let s = 0; s < shape.services; s++) {
    lines.push(`  svc-${String(s).padStart(3, '0')}:`);
    for (let k = 0; k < shape.perService; k++, i++) {
      lines.push(
        `    - { id: i-${i}, address: ${address(i)}, port: ${8000 + (i % 1000)}, tags: [v${1 + (i % 3)}], meta: { zone: ${'abc'[i % 3] ?? 'a'} }, node: n${i} }`,
      );
    }
  }
  lines.push('kv:', '  app/config/maxconn: "512"', '');
  return lines.join('\n');
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Nearest-rank quantile (p90 of 50 samples is the 45th smallest). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? Number.NaN;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function mib(bytes: number): number {
  return round(bytes / (1024 * 1024), 1);
}

/** A Markdown table: the first `textColumns` columns left-aligned, the others (figures) right-aligned. */
export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[], textColumns = 1): string {
  const cells = [header.map(String), ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: readonly string[]): string => `| ${r.map((v, c) => (c < textColumns ? v.padEnd(widths[c] ?? 0) : v.padStart(widths[c] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((w, c) => (c < textColumns ? `-${'-'.repeat(w)}-` : `-${'-'.repeat(w)}:`)).join('|')}|`;
  return [line(cells[0] ?? []), rule, ...cells.slice(1).map(line)].join('\n');
}

/** The median with the two middle values averaged (for a handful of runs, where nearest-rank is lopsided). */
export function middle(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const half = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[half] ?? Number.NaN) : ((sorted[half - 1] ?? Number.NaN) + (sorted[half] ?? Number.NaN)) / 2;
}

/** ctmpl ÷ consul-template, two decimals; '–' when either side is missing or zero. */
export function ratio(ctmpl: number | undefined, consulTemplate: number | undefined): string {
  if (ctmpl === undefined || consulTemplate === undefined || !Number.isFinite(ctmpl) || !Number.isFinite(consulTemplate) || consulTemplate === 0) return '–';
  return (ctmpl / consulTemplate).toFixed(2);
}

/** True when this module is the script node was started with (not imported by another bench). */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  return script !== undefined && moduleUrl === pathToFileURL(resolve(script)).href;
}

/** Progress on stderr, so stdout carries only the tables and the JSON. */
export function progress(message: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}
