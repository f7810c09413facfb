import type { ProbeFunction, ProbeTarget } from '../../../../src/feed/probes/probe.js';
import type { ProbeOutcome } from '../../../../src/feed/probes/state.js';
import { systemClock, type Clock } from '../../../../src/util/clock.js';

export interface ProbeCall {
  readonly port: number;
  readonly start: number;
  end: number | undefined;
  readonly signal: AbortSignal;
}

/** What a target answers: an outcome after `ms`, or never (until aborted). */
export type Answer = { readonly outcome: ProbeOutcome; readonly ms: number } | 'hang';

/**
 * A probe function with no network: each target (by port) answers as scripted, after a delay on
 * the (fake) clock. It records every call and counts probes in flight, overall and per target.
 */
export class ScriptedProbe {
  readonly calls: ProbeCall[] = [];
  inFlight = 0;
  maxInFlight = 0;
  /** Most probes ever in flight at once against one target (must stay 1). */
  maxPerTarget = 0;
  private readonly perTarget = new Map<number, number>();

  constructor(
    public answer: (port: number) => Answer = () => ({ outcome: { ok: true }, ms: 10 }),
    /** The clock answers are timed by (default: the system clock, faked or not). */
    private readonly clock: Clock = systemClock,
  ) {}

  readonly fn: ProbeFunction = (target: ProbeTarget, _spec, signal) => {
    const call: ProbeCall = { port: target.port, start: this.clock.now(), end: undefined, signal };
    this.calls.push(call);
    this.enter(target.port);
    const answer = this.answer(target.port);
    return new Promise<ProbeOutcome>((resolve) => {
      const done = (outcome: ProbeOutcome): void => {
        if (call.end !== undefined) return;
        call.end = this.clock.now();
        this.clock.clearTimeout(timer);
        this.leave(target.port);
        resolve(outcome);
      };
      const timer = answer === 'hang' ? undefined : this.clock.setTimeout(() => done(answer.outcome), answer.ms);
      signal.addEventListener('abort', () => done({ ok: false, error: 'aborted' }), { once: true });
    });
  };

  callsTo(port: number): ProbeCall[] {
    return this.calls.filter((c) => c.port === port);
  }

  private enter(port: number): void {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const mine = (this.perTarget.get(port) ?? 0) + 1;
    this.perTarget.set(port, mine);
    this.maxPerTarget = Math.max(this.maxPerTarget, mine);
  }

  private leave(port: number): void {
    this.inFlight -= 1;
    this.perTarget.set(port, (this.perTarget.get(port) ?? 1) - 1);
  }
}

/** A small seeded PRNG (mulberry32), so "random" schedules are the same on every run. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
