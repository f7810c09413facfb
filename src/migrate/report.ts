/**
 * What `ctmpl migrate` prints: one line per template (converted, or skipped with every refused
 * construct at file:line:col, why and what to do) and, with --verify, one verdict per template.
 */
import type { MigrationJob } from './plan.js';
import type { RunSummary, Verdict } from './verify.js';

/** A line of the output as JSON shows it, so spaces, tabs and empty lines are visible. */
const quoted = (line: string | undefined): string => (line === undefined ? '(end of output)' : JSON.stringify(line));

/** `converted  a.ctmpl → out/a.hbs`, or `skipped …` followed by each problem. */
export function jobLines(job: MigrationJob, show: (path: string) => string): string[] {
  if (job.result.ok) return [`converted  ${job.name} → ${job.output === undefined ? 'inline contents of the config' : show(job.output)}`];
  const { problems } = job.result;
  return [
    `skipped    ${job.name}: ${problems.length} construct(s) cannot be converted faithfully; nothing written for it`,
    ...problems.flatMap((p) => [`  ${job.name}:${p.line}:${p.col}: ${p.construct}: ${p.what}`, `    to do: ${p.todo}`]),
  ];
}

/** `identical`, or the first differing line in both versions. */
export function verdictLines(name: string, verdict: Verdict): string[] {
  switch (verdict.kind) {
    case 'identical':
      return [`identical  ${name}`];
    case 'different':
      return [`DIFFERENT  ${name}: first difference at line ${verdict.line}`, `  consul-template: ${quoted(verdict.consulTemplate)}`, `  ctmpl:           ${quoted(verdict.ctmpl)}`];
    case 'not rendered':
      return [`NOT RENDERED  ${name}: by ${verdict.by.join(' and ')} (see its output below)`];
  }
}

/** How a program's run ended, when some template was not rendered by it. */
export function runLines(run: RunSummary, timeoutMs: number): string[] {
  const how = run.timedOut ? `stopped after ${timeoutMs / 1000}s (it waits for data that may not exist: a key, a service)` : `exited with ${String(run.exitCode)}`;
  return [`${run.program} ${how}`, ...(run.output === '' ? [] : run.output.split('\n').map((l) => `  | ${l}`))];
}
