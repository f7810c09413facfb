/** Reporting helpers for the property tests: compact counterexamples and tallies of verdicts. */
import fc from 'fast-check';

/** Long strings abbreviated, so a counterexample stays readable (the seed and path replay it exactly). */
function abbreviated(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' && v.length > 60 ? `${v.slice(0, 30)}…[${v.length} chars]…${v.slice(-10)}` : v));
}

/** Attaches a compact printout to a generated spec, used by fast-check in counterexamples. */
export function printable<T extends object>(spec: T): T {
  return Object.defineProperty({ ...spec }, fc.toStringMethod, { value: () => abbreviated(spec), enumerable: false });
}

/** Counts of a list of reasons, for the report. */
export function tally(into: Map<string, number>, reasons: readonly string[]): void {
  for (const r of reasons) into.set(r, (into.get(r) ?? 0) + 1);
}
