import { describe, expect, it } from 'vitest';
import { initialProbeState, nextProbeState, probeView, type ProbeOutcome, type ProbeRule, type ProbeState, type Transition } from '../../../../src/feed/probes/state.js';

const OK: ProbeOutcome = { ok: true };
const refused: ProbeOutcome = { ok: false, error: 'connect ECONNREFUSED' };
const RULE: ProbeRule = { fall: 3, rise: 2 };

/** Feeds outcomes one second apart from t=1000; returns the final state and every transition with its time. */
function run(outcomes: readonly ProbeOutcome[], rule = RULE, start: ProbeState = initialProbeState(0)): { state: ProbeState; transitions: (Transition & { at: number })[] } {
  let state = start;
  const transitions: (Transition & { at: number })[] = [];
  outcomes.forEach((outcome, i) => {
    const at = (i + 1) * 1000;
    const next = nextProbeState(state, outcome, rule, at);
    state = next.state;
    if (next.transition) transitions.push({ ...next.transition, at });
  });
  return { state, transitions };
}
const times = <T>(n: number, value: T): T[] => Array.from({ length: n }, () => value);

describe('probe state machine', () => {
  it('starts unknown, since the moment probing began', () => {
    expect(initialProbeState(42)).toEqual({ status: 'unknown', since: 42, failures: 0, successes: 0, lastError: '' });
  });

  it('becomes passing on the first success (unknown already counts as up)', () => {
    const { state, transitions } = run([OK]);
    expect(state.status).toBe('passing');
    expect(state.since).toBe(1000);
    expect(transitions).toEqual([{ from: 'unknown', to: 'passing', reason: 'first probe passed', at: 1000 }]);
  });

  it('goes critical after exactly `fall` failures in a row, with the last error as reason', () => {
    const twoFailures = run([OK, refused, refused]);
    expect(twoFailures.state.status).toBe('passing');
    expect(twoFailures.state.failures).toBe(2);
    const { state, transitions } = run([OK, refused, refused, refused]);
    expect(state.status).toBe('critical');
    expect(state.since).toBe(4000);
    expect(transitions.at(-1)).toEqual({ from: 'passing', to: 'critical', reason: '3 failed probes in a row: connect ECONNREFUSED', at: 4000 });
  });

  it('goes from unknown straight to critical when the first `fall` probes fail', () => {
    const { state, transitions } = run(times(3, refused));
    expect(state.status).toBe('critical');
    expect(transitions).toEqual([{ from: 'unknown', to: 'critical', reason: '3 failed probes in a row: connect ECONNREFUSED', at: 3000 }]);
  });

  it('needs `rise` successes in a row to come back, and a failure in between starts the count over', () => {
    const down = run(times(3, refused)).state;
    expect(run([OK], RULE, down).state.status).toBe('critical');
    expect(run([OK, refused, OK], RULE, down).state.status).toBe('critical');
    const { state, transitions } = run([OK, refused, OK, OK], RULE, down);
    expect(state.status).toBe('passing');
    expect(state.since).toBe(4000);
    expect(transitions).toEqual([{ from: 'critical', to: 'passing', reason: '2 passing probes in a row', at: 4000 }]);
  });

  it('does not flap: alternating results never reach fall, and the failure count starts over after each success', () => {
    const { state, transitions } = run([OK, ...Array.from({ length: 20 }, (_, i) => (i % 3 === 2 ? OK : refused))]);
    expect(state.status).toBe('passing');
    expect(transitions).toHaveLength(1);
    expect(state.since).toBe(1000);
  });

  it('keeps Since while the status stays, counting failures below the threshold', () => {
    const { state } = run([OK, OK, OK, refused, refused, OK, refused]);
    expect(state.since).toBe(1000);
    expect(state.failures).toBe(1);
  });

  it('keeps counting failures while critical, without further transitions', () => {
    const { state, transitions } = run(times(7, { ok: false, error: 'status 500' }));
    expect(state.failures).toBe(7);
    expect(state.since).toBe(3000);
    expect(transitions).toHaveLength(1);
  });

  it('keeps the last error after recovery (Failures tells whether it is current)', () => {
    const { state } = run([refused, refused, refused, { ok: false, error: 'status 503' }, OK, OK]);
    expect(state.status).toBe('passing');
    expect(state.failures).toBe(0);
    expect(state.lastError).toBe('status 503');
  });

  it('works with fall 1 and rise 1', () => {
    const rule = { fall: 1, rise: 1 };
    const { transitions } = run([OK, refused, OK, refused], rule);
    expect(transitions.map((t) => `${t.from}>${t.to}`)).toEqual(['unknown>passing', 'passing>critical', 'critical>passing', 'passing>critical']);
    expect(transitions[1]?.reason).toBe('1 failed probe in a row: connect ECONNREFUSED');
  });

  it('shows templates strings: ISO time, failures as text', () => {
    const { state } = run([OK, refused]);
    expect(probeView(state)).toEqual({ Status: 'passing', Since: new Date(1000).toISOString(), Failures: '1', LastError: 'connect ECONNREFUSED' });
  });
});
