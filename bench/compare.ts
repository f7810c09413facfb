/**
 * The benchmarks' tables: a figure per column (each ctmpl build under each Node, and
 * consul-template), then each ctmpl column divided by consul-template's.
 */
import { markdownTable, ratio } from './common.js';
import type { Tool } from './tools.js';

/** The summary column of consul-template; ctmpl's columns are `<build> node <major>`. */
export const CONSUL_TEMPLATE_COLUMN = 'consul-template';

/** One line of the side-by-side summary: a figure per summary column (Tool.column). */
export interface SummaryRow {
  readonly scenario: string;
  readonly measure: string;
  readonly values: Readonly<Record<string, number | string>>;
}

/** What a scenario hands back: its own table, its lines of the summary, and its figures. */
export interface ScenarioReport {
  readonly key: string;
  readonly title: string;
  /** Markdown: a heading line and a table. */
  readonly details: string;
  readonly summary: readonly SummaryRow[];
  readonly seconds: number;
  readonly data: unknown;
}

/** The summary's columns: every ctmpl column in the order met, then consul-template's. */
export function summaryColumns(rows: readonly SummaryRow[]): string[] {
  const columns = new Set<string>();
  for (const row of rows) for (const column of Object.keys(row.values)) if (column !== CONSUL_TEMPLATE_COLUMN) columns.add(column);
  return [...columns, CONSUL_TEMPLATE_COLUMN];
}

/**
 * A Markdown table of figures per column, then each ctmpl column ÷ consul-template's (below 1:
 * ctmpl is lower: faster, smaller, fewer).
 */
export function comparison(leading: readonly string[], rows: readonly { lead: readonly string[]; values: Readonly<Record<string, number | string>> }[], columns: readonly string[]): string {
  const own = columns.filter((c) => c !== CONSUL_TEMPLATE_COLUMN);
  const header = [...leading, ...columns, ...own.map((c) => `${c} / c-t`)];
  const cells = rows.map((r) => {
    const ct = r.values[CONSUL_TEMPLATE_COLUMN];
    return [...r.lead, ...columns.map((c) => r.values[c] ?? '–'), ...own.map((c) => ratio(numeric(r.values[c]), numeric(ct)))];
  });
  return markdownTable(header, cells, leading.length);
}

const numeric = (v: number | string | undefined): number | undefined => (typeof v === 'number' ? v : undefined);

/** The figures of `tools` (in order) as a row's values by column. */
export function byColumn(tools: readonly Tool[], values: readonly (number | string)[]): Record<string, number | string> {
  return Object.fromEntries(tools.map((t, i) => [t.column, values[i] ?? '–']));
}
