import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DependencyValue } from '../../../../src/catalog/types.js';
import { ConsulRequestError, type BlockingOptions, type ConsulReply, type ConsulRequest } from '../../../../src/registries/consul/client.js';
import { BlockingWatch, nextIndex, type ConsulReader, type GiveUpRule, type WatchTiming } from '../../../../src/registries/consul/watch.js';

const TIMING: WatchTiming = { minIntervalMs: 100, intervalJitterMs: 0, backoff: { baseMs: 250, capMs: 60_000, jitter: 'full', random: () => 1 }, noIndexPauseMs: 1000, random: () => 1 };

type Step = Partial<ConsulReply> | ConsulRequestError;

/** A reader that answers from a script (then blocks until aborted), recording each request. */
class ScriptedReader implements ConsulReader {
  readonly calls: (BlockingOptions & { at: number })[] = [];
  constructor(private readonly steps: Step[]) {}

  read(_request: unknown, blocking: BlockingOptions, signal: AbortSignal): Promise<ConsulReply> {
    this.calls.push({ ...blocking, at: Date.now() });
    const step = this.steps.shift();
    if (step === undefined) {
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new ConsulRequestError('request aborted', undefined, true))));
    }
    if (step instanceof ConsulRequestError) return Promise.reject(step);
    return Promise.resolve({ body: 'v', index: 1, knownLeader: true, lastContactMs: 0, backend: undefined, ...step });
  }
}

function watchWith(reader: ScriptedReader, options: Partial<{ maxStaleMs: number; consistent: boolean; request: ConsulRequest; giveUp: GiveUpRule; firstAnswerOnly: boolean }> = {}) {
  const events = { data: [] as DependencyValue[], failing: [] as string[], recovered: 0, requested: 0, converted: 0, gaveUp: [] as { message: string; attempts: number; denied: boolean }[] };
  const watch = new BlockingWatch(
    reader,
    options.request ?? { kind: 'services' },
    (body) => {
      events.converted += 1;
      return body as DependencyValue;
    },
    {
      data: (v) => events.data.push(v),
      failing: (m) => events.failing.push(m),
      recovered: () => (events.recovered += 1),
      requested: () => (events.requested += 1),
      gaveUp: (message, attempts, denied) => void events.gaveUp.push({ message, attempts, denied }),
    },
    { waitMs: 60_000, maxStaleMs: options.maxStaleMs ?? 0, consistent: options.consistent ?? false, timing: TIMING, ...(options.giveUp ? { giveUp: options.giveUp } : {}), ...(options.firstAnswerOnly ? { firstAnswerOnly: true } : {}) },
  );
  watch.start();
  return { watch, events };
}

const down = () => new ConsulRequestError('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:8500', undefined);

describe('blocking query rules', () => {
  it.each([
    [0, 5, 5],
    [5, 9, 9],
    [9, 4, 0],
    [0, 0, 1],
    [3, undefined, 0],
  ])('after index %d, a reply with index %s → next index %d', (previous, replied, next) => {
    expect(nextIndex(previous, replied)).toBe(next);
  });
});

describe('BlockingWatch', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends back the last index and resets it when the index goes backwards', async () => {
    const reader = new ScriptedReader([{ index: 10 }, { index: 12 }, { index: 7 }, { index: 8 }]);
    const { watch, events } = watchWith(reader);
    await vi.advanceTimersByTimeAsync(1000);
    expect(reader.calls.map((c) => c.index)).toEqual([0, 10, 12, 0, 8]);
    expect(events.data).toHaveLength(4);
    await watch.stop();
  });

  it('keeps at least the minimum interval between requests even when replies come back at once', async () => {
    const reader = new ScriptedReader(Array.from({ length: 100 }, (_, i) => ({ index: i + 1 })));
    const { watch } = watchWith(reader);
    await vi.advanceTimersByTimeAsync(1000);
    const gaps = reader.calls.slice(1).map((c, i) => c.at - (reader.calls[i]?.at ?? 0));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(100);
    expect(reader.calls.length).toBeLessThanOrEqual(11);
    await watch.stop();
  });

  it('reports a failure once, backs off, delivers nothing while failing, and recovers', async () => {
    const reader = new ScriptedReader([{ index: 5, body: 'first' }, down(), down(), down(), { index: 6, body: 'second' }]);
    const { watch, events } = watchWith(reader);
    await vi.advanceTimersByTimeAsync(1);
    expect(events.data).toEqual(['first']);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(events.failing).toEqual(['ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:8500']);
    expect(events.data).toEqual(['first', 'second']);
    expect(events.recovered).toBe(1);
    // Full-jitter steps with random() = 1: 250, 500, 1000 ms after each failure.
    const gaps = reader.calls.slice(1).map((c, i) => c.at - (reader.calls[i]?.at ?? 0));
    expect(gaps.slice(1, 4)).toEqual([250, 500, 1000]);
    await watch.stop();
  });

  it('retries forever while Consul stays down, at most once per backoff cap', async () => {
    const reader = new ScriptedReader(Array.from({ length: 1000 }, down));
    const { watch, events } = watchWith(reader);
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(events.failing).toHaveLength(1);
    expect(events.data).toHaveLength(0);
    // 250 ms doubling to the 60 s cap: about 8 steps to reach it, then one try a minute.
    expect(reader.calls.length).toBeGreaterThan(8);
    expect(reader.calls.length).toBeLessThan(25);
    await watch.stop();
  });

  it("gives up in --once after consul-template's retry attempts: the first failure and 3 retries, then stops asking", async () => {
    const reader = new ScriptedReader(Array.from({ length: 100 }, down));
    const { watch, events } = watchWith(reader, { giveUp: { retry: true, attempts: 3 } });
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(reader.calls).toHaveLength(4);
    expect(events.gaveUp).toEqual([{ message: 'ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:8500', attempts: 4, denied: false }]);
    // The retries waited consul-template's backoff (250 ms doubling; random() = 1 here).
    const gaps = reader.calls.slice(1).map((c, i) => c.at - (reader.calls[i]?.at ?? 0));
    expect(gaps).toEqual([250, 500, 1000]);
    await watch.stop();
  });

  it('gives up at the first failure with retry disabled, never with 0 attempts, and at once on a 403 either way', async () => {
    const off = watchWith(new ScriptedReader([down()]), { giveUp: { retry: false, attempts: 12 } });
    await vi.advanceTimersByTimeAsync(1000);
    expect(off.events.gaveUp).toMatchObject([{ attempts: 1, denied: false }]);
    const forever = watchWith(new ScriptedReader(Array.from({ length: 1000 }, down)), { giveUp: { retry: true, attempts: 0 } });
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(forever.events.gaveUp).toEqual([]);
    const denied = new ConsulRequestError('permission denied (HTTP 403): the ACL token is missing or lacks read access', 403);
    const forbidden = watchWith(new ScriptedReader([denied, down()]), { giveUp: { retry: true, attempts: 0 } });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(forbidden.events.gaveUp).toEqual([{ message: denied.message, attempts: 1, denied: true }]);
    await Promise.all([off.watch.stop(), forever.watch.stop(), forbidden.watch.stop()]);
  });

  it('resets its count on an answer: only failures in a row count towards giving up', async () => {
    const reader = new ScriptedReader([down(), down(), { index: 5 }, down(), down(), down()]);
    const { watch, events } = watchWith(reader, { giveUp: { retry: true, attempts: 2 } });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(events.data).toHaveLength(1);
    expect(events.gaveUp).toMatchObject([{ attempts: 3 }]);
    await watch.stop();
  });

  it('in --once asks until the first answer and no more: no blocking query that exit would abort', async () => {
    const reader = new ScriptedReader([down(), { index: 7, body: 'first' }, { index: 8, body: 'second' }]);
    const { watch, events } = watchWith(reader, { giveUp: { retry: true, attempts: 3 }, firstAnswerOnly: true });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(events.data).toEqual(['first']);
    expect(reader.calls.map((c) => c.index)).toEqual([0, 0]);
    await watch.stop();
    // The daemon keeps asking with the index it was given.
    const daemon = watchWith(new ScriptedReader([{ index: 7, body: 'first' }, { index: 8, body: 'second' }]));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(daemon.events.data).toEqual(['first', 'second']);
    await daemon.watch.stop();
    // A key that does not exist yet (null) is waited for, then the watch ends.
    const key = watchWith(new ScriptedReader([{ index: 3, body: null }, { index: 4, body: 'arrived' }, { index: 5, body: 'later' }]), { firstAnswerOnly: true });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(key.events.data).toEqual([null, 'arrived']);
    await key.watch.stop();
  });

  it('never gives up without the rule (the daemon), not even on a 403', async () => {
    const reader = new ScriptedReader([new ConsulRequestError('permission denied (HTTP 403)', 403), down(), { index: 3 }]);
    const { watch, events } = watchWith(reader);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(events.gaveUp).toEqual([]);
    expect(events.data).toHaveLength(1);
    await watch.stop();
  });

  it('asks the leader again when a stale reply lags more than max-stale', async () => {
    const reader = new ScriptedReader([{ index: 5, lastContactMs: 5000, body: 'stale' }, { index: 6, body: 'fresh' }]);
    const { watch, events } = watchWith(reader, { maxStaleMs: 2000 });
    await vi.advanceTimersByTimeAsync(1);
    expect(reader.calls.map((c) => (c as unknown as { mode: string }).mode)).toEqual(['stale', 'default']);
    expect(events.data).toEqual(['fresh']);
    await watch.stop();
  });

  it('uses consistent reads when asked', async () => {
    const reader = new ScriptedReader([{ index: 5 }]);
    const { watch } = watchWith(reader, { consistent: true, maxStaleMs: 2000 });
    await vi.advanceTimersByTimeAsync(1);
    expect((reader.calls[0] as unknown as { mode: string }).mode).toBe('consistent');
    await watch.stop();
  });

  it('paces replies without X-Consul-Index instead of looping hot', async () => {
    const reader = new ScriptedReader(Array.from({ length: 100 }, () => ({ index: undefined })));
    const { watch } = watchWith(reader);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(reader.calls.length).toBeLessThanOrEqual(11);
    await watch.stop();
  });

  it('stops an in-flight blocking request', async () => {
    const reader = new ScriptedReader([{ index: 5 }]);
    const { watch, events } = watchWith(reader);
    await vi.advanceTimersByTimeAsync(500);
    expect(reader.calls).toHaveLength(2);
    await watch.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(reader.calls).toHaveLength(2);
    expect(events.failing).toHaveLength(0);
  });

  it('leaves a health reply at the index it was sent (a wait that ran out) unconverted, unless after a failure', async () => {
    const health: ConsulRequest = { kind: 'health', service: 'web', passingOnly: true };
    const reader = new ScriptedReader([{ index: 5, body: 'a' }, { index: 5, body: 'a' }, { index: 6, body: 'b' }, down(), { index: 6, body: 'b' }]);
    const { watch, events } = watchWith(reader, { request: health });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(reader.calls.map((c) => c.index)).toEqual([0, 5, 5, 6, 0, 6]);
    expect(events.converted).toBe(3);
    expect(events.data).toEqual(['a', 'b', 'b']);
    await watch.stop();
  });

  it('converts every reply of a near-sorted health query (round-trip times move without the index)', async () => {
    const near: ConsulRequest = { kind: 'health', service: 'web', passingOnly: true, near: '_agent' };
    const reader = new ScriptedReader([{ index: 5, body: 'a' }, { index: 5, body: 'b' }]);
    const { watch, events } = watchWith(reader, { request: near });
    await vi.advanceTimersByTimeAsync(1000);
    expect(events.data).toEqual(['a', 'b']);
    await watch.stop();
  });
});
