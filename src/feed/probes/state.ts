import type { ProbeView } from '../../catalog/types.js';
/**
 * The health of one instance as seen from this host, from consecutive probe results (HAProxy's
 * rise/fall, Envoy's healthy/unhealthy thresholds). Pure: time comes in as `now`.
 *
 *   unknown ──1 success──► passing ──fall failures──► critical ──rise successes──► passing
 *      └──────────────fall failures──────────────────────►┘
 *
 * `unknown` (not probed yet) counts as up, so the first success makes it passing at once; only
 * a recovery from critical must earn `rise` successes in a row.
 */

export type ProbeStatus = 'unknown' | 'passing' | 'critical';

/** What one probe found. `error` is short text for people: "connect ECONNREFUSED", "status 500". */
export type ProbeOutcome = { readonly ok: true } | { readonly ok: false; readonly error: string };

export interface ProbeRule {
  readonly fall: number;
  readonly rise: number;
}

export interface ProbeState {
  readonly status: ProbeStatus;
  /** When the status last changed (ms since the epoch); for `unknown`, when probing began. */
  readonly since: number;
  /** Consecutive failed probes (0 after a success). */
  readonly failures: number;
  /** Consecutive successful probes (0 after a failure). */
  readonly successes: number;
  /** The most recent failure's text, kept after recovery ("" when none yet). */
  readonly lastError: string;
}

export interface Transition {
  readonly from: ProbeStatus;
  readonly to: ProbeStatus;
  /** Why, for the log line: "3 failed probes in a row: connect ECONNREFUSED". */
  readonly reason: string;
}

export function initialProbeState(now: number): ProbeState {
  return { status: 'unknown', since: now, failures: 0, successes: 0, lastError: '' };
}

/** The state after one more probe result, and the transition when the status changed. */
export function nextProbeState(state: ProbeState, outcome: ProbeOutcome, rule: ProbeRule, now: number): { state: ProbeState; transition?: Transition } {
  if (outcome.ok) {
    const successes = state.successes + 1;
    const to = state.status === 'unknown' || (state.status === 'critical' && successes >= rule.rise) ? 'passing' : state.status;
    const next: ProbeState = { ...state, failures: 0, successes, status: to, since: to === state.status ? state.since : now };
    if (to === state.status) return { state: next };
    const reason = state.status === 'unknown' ? 'first probe passed' : `${plural(successes, 'passing probe')} in a row`;
    return { state: next, transition: { from: state.status, to, reason } };
  }
  const failures = state.failures + 1;
  const to = state.status !== 'critical' && failures >= rule.fall ? 'critical' : state.status;
  const next: ProbeState = { ...state, failures, successes: 0, lastError: outcome.error, status: to, since: to === state.status ? state.since : now };
  if (to === state.status) return { state: next };
  return { state: next, transition: { from: state.status, to, reason: `${plural(failures, 'failed probe')} in a row: ${outcome.error}` } };
}

/** What templates see of an instance's probe; numbers as strings, as everywhere in ctmpl. */
/** What templates see of a probe (the catalog's data model). */
export type { ProbeView };

export function probeView(state: ProbeState): ProbeView {
  return { Status: state.status, Since: new Date(state.since).toISOString(), Failures: String(state.failures), LastError: state.lastError };
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}
