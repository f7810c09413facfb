import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import type { Instance } from '../../../../src/catalog/types.js';
import { probeKey } from '../../../../src/feed/probes/probe.js';
import { Prober, type ProbeLogger, type ProberOptions } from '../../../../src/feed/probes/prober.js';
import { probeEntrySchema, type ProbeEntry } from '../../../../src/feed/probes/settings.js';
import { testInstance } from './instance.js';
import { ManualClock } from './manual-clock.js';
import { ScriptedProbe, seeded, type Answer } from './scripted-probe.js';

const T0 = Date.parse('2024-05-01T12:00:00.000Z');
const OK: Answer = { outcome: { ok: true }, ms: 10 };
const REFUSED: Answer = { outcome: { ok: false, error: 'connect ECONNREFUSED' }, ms: 1 };

/** Instance n of web at 10.0.0.1, port 1000+n (the scripted probe tells targets apart by port). */
const instance = (n: number): Instance => testInstance(`web-${n}`, '10.0.0.1', 1000 + n);
const instances = (count: number): Instance[] => Array.from({ length: count }, (_, i) => instance(i + 1));

interface Line {
  readonly level: 'info' | 'warn' | 'debug';
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

function setup(entry: ProbeEntry = { type: 'tcp', interval: '1s', timeout: '500ms' }, options: Partial<ProberOptions> = {}) {
  const probe = new ScriptedProbe();
  const lines: Line[] = [];
  const record = (level: Line['level']) => (fields: Record<string, unknown>, message: string) => void lines.push({ level, fields, message });
  const log: ProbeLogger = { info: record('info'), warn: record('warn'), debug: record('debug') };
  const changes: string[] = [];
  const prober = new Prober({
    settings: { services: { web: probeEntrySchema.parse(entry) } },
    log,
    onChange: (service) => void changes.push(service),
    probes: { tcp: probe.fn, http: probe.fn },
    // 0.5: the first probe halfway through the first interval, no jitter afterwards.
    random: () => 0.5,
    ...options,
  });
  onTestFinished(() => prober.stop());
  return { prober, probe, lines, changes };
}

const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Prober scheduling', () => {
  it('probes nothing until track is called', async () => {
    const { probe } = setup();
    await advance(10_000);
    expect(probe.calls).toHaveLength(0);
  });

  it('probes once per interval, counted from the end of the previous probe', async () => {
    const { prober, probe } = setup();
    probe.answer = () => OK;
    prober.track('web', [instance(1)]);
    await advance(4000);
    expect(probe.calls.map((c) => c.start - T0)).toEqual([500, 1510, 2520, 3530]);
  });

  it('spreads first probes over the first interval, and keeps every later wait within interval ± jitter', async () => {
    const { prober, probe } = setup({ type: 'tcp', interval: '1s', timeout: '500ms', jitter: '100ms' }, { random: seeded(7) });
    probe.answer = () => OK;
    prober.track('web', instances(50));
    await advance(20_000);
    const firsts = instances(50).map((i) => (probe.callsTo(Number(i.Port))[0]?.start ?? Infinity) - T0);
    expect(Math.max(...firsts)).toBeLessThan(1000);
    expect(new Set(firsts.map((t) => Math.floor(t / 100))).size).toBeGreaterThan(5);
    const waits = instances(50).flatMap((i) => {
      const calls = probe.callsTo(Number(i.Port));
      return calls.slice(1).map((call, k) => call.start - (calls[k]?.end as number));
    });
    expect(waits.length).toBeGreaterThan(50 * 15);
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(900);
    expect(Math.max(...waits)).toBeLessThanOrEqual(1100);
    expect(new Set(waits).size).toBeGreaterThan(100);
  });

  it('never probes an instance while its previous probe still runs', async () => {
    const { prober, probe } = setup({ type: 'tcp', interval: '1s', timeout: '5s' });
    probe.answer = () => ({ outcome: { ok: true }, ms: 3000 });
    prober.track('web', [instance(1), instance(2)]);
    await advance(20_000);
    expect(probe.calls.length).toBeGreaterThanOrEqual(8);
    expect(probe.maxPerTarget).toBe(1);
    const calls = probe.callsTo(1001);
    expect(calls.slice(1).map((call, k) => call.start - (calls[k]?.end as number))).toEqual(calls.slice(1).map(() => 1000));
  });

  it('fails a probe that does not answer at the timeout, and aborts it', async () => {
    const { prober, probe } = setup();
    probe.answer = () => 'hang';
    prober.track('web', [instance(1)]);
    await advance(999);
    expect(prober.view('web', probeKey(instance(1)))?.Failures).toBe('0');
    await advance(1);
    expect(prober.view('web', probeKey(instance(1)))).toMatchObject({ Failures: '1', LastError: 'timeout after 500 ms' });
    expect(probe.calls[0]?.signal.aborted).toBe(true);
    expect(probe.inFlight).toBe(0);
  });

  it('never has more probes in flight than the bound: 1,000 instances at 1 s, 64 at a time', async () => {
    // vitest's fake timers scan every pending timer per tick: too slow for 30,000 timers.
    vi.useRealTimers();
    const clock = new ManualClock(T0);
    const durations = seeded(11);
    const probe = new ScriptedProbe(() => ({ outcome: { ok: true }, ms: Math.round(durations() * 100) }), clock);
    const prober = new Prober({
      settings: { services: { web: probeEntrySchema.parse({ type: 'tcp', interval: '1s', timeout: '500ms' }) } },
      log: { info: () => undefined, warn: () => undefined },
      probes: { tcp: probe.fn },
      concurrency: 64,
      clock,
      random: seeded(3),
    });
    onTestFinished(() => prober.stop());
    prober.track('web', instances(1000));
    await clock.advance(10_000);
    expect(probe.maxInFlight).toBeLessThanOrEqual(64);
    // The bound was reached, so the queue did its job rather than idling.
    expect(probe.maxInFlight).toBe(64);
    expect(prober.stats().maxInFlight).toBe(probe.maxInFlight);
    expect(probe.maxPerTarget).toBe(1);
    const perInstance = new Map<number, number>();
    for (const call of probe.calls) perInstance.set(call.port, (perInstance.get(call.port) ?? 0) + 1);
    expect(perInstance.size).toBe(1000);
    expect(Math.min(...perInstance.values())).toBeGreaterThanOrEqual(8);
    await prober.stop();
    expect(clock.pending).toBe(0);
  });

  it('starts queued probes in turn as slots free up', async () => {
    const { prober, probe } = setup({ type: 'tcp', interval: '10s', timeout: '5s' }, { concurrency: 2, random: () => 0 });
    probe.answer = () => ({ outcome: { ok: true }, ms: 100 });
    prober.track('web', instances(5));
    await advance(0);
    expect(prober.stats()).toMatchObject({ inFlight: 2, queued: 3 });
    await advance(300);
    expect(probe.calls.map((c) => c.start - T0)).toEqual([0, 0, 100, 100, 200]);
    expect(prober.stats()).toMatchObject({ inFlight: 0, queued: 0 });
  });
});

describe('Prober instance set', () => {
  it('stops probing a removed instance at once, aborting its probe in flight', async () => {
    const { prober, probe } = setup({ type: 'tcp', interval: '1s', timeout: '5s' });
    probe.answer = () => ({ outcome: { ok: true }, ms: 300 });
    prober.track('web', [instance(1), instance(2)]);
    await advance(600);
    const inFlight = probe.callsTo(1002)[0];
    expect(inFlight?.end).toBeUndefined();
    prober.track('web', [instance(1)]);
    expect(inFlight?.signal.aborted).toBe(true);
    expect(prober.view('web', probeKey(instance(2)))).toBeUndefined();
    await advance(10_000);
    expect(probe.callsTo(1002)).toHaveLength(1);
    expect(probe.callsTo(1001).length).toBeGreaterThan(5);
  });

  it('drops a queued probe of a removed instance', async () => {
    const { prober, probe } = setup({ type: 'tcp', interval: '10s', timeout: '5s' }, { concurrency: 1, random: () => 0 });
    probe.answer = () => ({ outcome: { ok: true }, ms: 100 });
    prober.track('web', instances(3));
    await advance(0);
    expect(prober.stats().queued).toBe(2);
    prober.track('web', [instance(1), instance(3)]);
    expect(prober.stats().queued).toBe(1);
    await advance(1000);
    expect(probe.calls.map((c) => c.port)).toEqual([1001, 1003]);
  });

  it('starts probing an instance that joins', async () => {
    const { prober, probe } = setup();
    probe.answer = () => OK;
    prober.track('web', [instance(1)]);
    await advance(3000);
    prober.track('web', [instance(1), instance(2)]);
    await advance(600);
    expect(probe.callsTo(1002)).toHaveLength(1);
    expect(prober.view('web', probeKey(instance(2)))?.Status).toBe('passing');
  });

  it('starts over when an instance moves to another address or port', async () => {
    const { prober, probe } = setup({ type: 'tcp', interval: '1s', timeout: '500ms', fall: 1 });
    probe.answer = () => REFUSED;
    prober.track('web', [instance(1)]);
    await advance(600);
    expect(prober.view('web', probeKey(instance(1)))?.Status).toBe('critical');
    const moved = { ...instance(1), Port: '2001' };
    prober.track('web', [moved]);
    expect(prober.view('web', probeKey(moved))).toMatchObject({ Status: 'unknown', Failures: '0' });
    probe.answer = () => OK;
    await advance(600);
    expect(probe.calls.at(-1)?.port).toBe(2001);
    expect(prober.view('web', probeKey(moved))?.Status).toBe('passing');
  });

  it('keeps an instance while any origin lists it', async () => {
    const { prober, probe } = setup();
    probe.answer = () => OK;
    prober.track('web', [instance(1), instance(2)], 'web|passing');
    prober.track('web', [instance(2)], 'web|any');
    prober.track('web', [], 'web|passing');
    expect(prober.view('web', probeKey(instance(1)))).toBeUndefined();
    expect(prober.view('web', probeKey(instance(2)))).toBeDefined();
    prober.untrack('web', 'web|any');
    expect(prober.view('web', probeKey(instance(2)))).toBeUndefined();
    await advance(5000);
    expect(probe.calls).toHaveLength(0);
  });

  it('does not probe services that are not configured', async () => {
    const { prober, probe } = setup();
    prober.track('db', [testInstance('db-1', '10.0.0.9', 5432, 'passing', 'db')]);
    await advance(5000);
    expect(probe.calls).toHaveLength(0);
    expect(prober.view('db', '10.0.0.9/db-1')).toBeUndefined();
    expect(prober.stats().services).toEqual({});
  });

  it('probes the port of the settings when given one', async () => {
    const { prober, probe } = setup({ type: 'tcp', interval: '1s', port: 9100 });
    prober.track('web', [instance(1), instance(2)]);
    await advance(600);
    expect(probe.calls.map((c) => c.port)).toEqual([9100, 9100]);
  });

  it('leaves an instance it cannot probe unknown, saying why once', async () => {
    const { prober, probe, lines } = setup();
    const portless = testInstance('web-9', '10.0.0.9', '0');
    const bogus = testInstance('web-8', 'not an address', 80);
    prober.track('web', [portless, bogus]);
    prober.track('web', [portless, bogus]);
    await advance(5000);
    expect(probe.calls).toHaveLength(0);
    expect(prober.view('web', probeKey(portless))).toMatchObject({ Status: 'unknown', LastError: expect.stringContaining('has no port') });
    expect(prober.view('web', probeKey(bogus))?.LastError).toContain('is not an address');
    expect(lines.filter((l) => l.level === 'warn')).toHaveLength(2);
    expect(prober.stats().services.web).toMatchObject({ instances: 2, skipped: 2, probes: 0 });
  });

  it('stops everything: timers cleared, probes in flight aborted, later tracks ignored', async () => {
    const { prober, probe } = setup({ type: 'tcp', interval: '1s', timeout: '5s' });
    probe.answer = () => 'hang';
    prober.track('web', instances(3));
    await advance(600);
    expect(probe.inFlight).toBe(3);
    await prober.stop();
    expect(probe.calls.every((c) => c.signal.aborted)).toBe(true);
    expect(probe.inFlight).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    prober.track('web', instances(3));
    await advance(10_000);
    expect(probe.calls).toHaveLength(3);
  });
});

describe('Prober results', () => {
  it('notifies and logs once per transition, never per probe', async () => {
    const { prober, probe, lines, changes } = setup({ type: 'tcp', interval: '1s', timeout: '500ms', fall: 3, rise: 2 });
    const key = probeKey(instance(1));
    probe.answer = () => OK;
    prober.track('web', [instance(1)]);
    await advance(3000);
    expect(changes).toEqual(['web']);
    expect(lines).toMatchObject([{ level: 'debug', message: `probe: web instance ${key} (10.0.0.1:1001) unknown → passing: first probe passed` }]);

    probe.answer = () => REFUSED;
    await advance(2000);
    expect(prober.view('web', key)).toMatchObject({ Status: 'passing', Failures: '2' });
    await advance(5000);
    expect(prober.view('web', key)?.Status).toBe('critical');
    expect(changes).toEqual(['web', 'web']);
    const down = lines.filter((l) => l.level === 'warn');
    expect(down).toHaveLength(1);
    expect(down[0]?.message).toBe(`probe: web instance ${key} (10.0.0.1:1001) passing → critical: 3 failed probes in a row: connect ECONNREFUSED`);
    expect(down[0]?.fields).toMatchObject({ service: 'web', instance: key, from: 'passing', to: 'critical' });

    probe.answer = () => OK;
    await advance(1000);
    expect(prober.view('web', key)?.Status).toBe('critical');
    await advance(5000);
    expect(prober.view('web', key)?.Status).toBe('passing');
    expect(changes).toEqual(['web', 'web', 'web']);
    expect(lines.filter((l) => l.level === 'info').map((l) => l.message)).toEqual([`probe: web instance ${key} (10.0.0.1:1001) critical → passing: 2 passing probes in a row`]);
  });

  it('records Since as the time of the transition, for templates in ISO form', async () => {
    const { prober, probe } = setup({ type: 'tcp', interval: '1s', timeout: '500ms', fall: 1 });
    probe.answer = () => REFUSED;
    prober.track('web', [instance(1)]);
    expect(prober.view('web', probeKey(instance(1)))?.Since).toBe(new Date(T0).toISOString());
    await advance(3000);
    expect(prober.view('web', probeKey(instance(1)))).toEqual({ Status: 'critical', Since: new Date(T0 + 501).toISOString(), Failures: '3', LastError: 'connect ECONNREFUSED' });
  });

  it('counts probes, failures and instances down per service', async () => {
    const { prober, probe } = setup({ type: 'tcp', interval: '1s', timeout: '500ms', fall: 2 });
    probe.answer = (port) => (port === 1001 ? REFUSED : OK);
    prober.track('web', instances(3));
    await advance(3000);
    expect(prober.stats().services.web).toEqual({ instances: 3, probes: 9, failures: 3, down: 1, skipped: 0 });
  });

  it('survives a probe function that throws or rejects, and a change handler that throws', async () => {
    const lines: string[] = [];
    const log = { info: () => undefined, warn: (_: unknown, message: string) => void lines.push(message) };
    let calls = 0;
    const prober = new Prober({
      settings: { services: { web: probeEntrySchema.parse({ type: 'tcp', interval: '1s', fall: 1 }) } },
      log,
      random: () => 0.5,
      onChange: () => {
        throw new Error('handler broke');
      },
      probes: {
        tcp: (target) => {
          calls += 1;
          if (target.port === 1001) throw new Error('sync boom');
          return Promise.reject(Object.assign(new Error('x'), { code: 'EHOSTUNREACH', syscall: 'connect' }));
        },
      },
    });
    onTestFinished(() => prober.stop());
    prober.track('web', [instance(1), instance(2)]);
    await advance(3000);
    expect(calls).toBe(6);
    expect(prober.view('web', probeKey(instance(1)))?.LastError).toBe('sync boom');
    expect(prober.view('web', probeKey(instance(2)))?.LastError).toBe('connect EHOSTUNREACH');
    expect(lines.filter((l) => l.includes('the change handler for web failed: handler broke'))).toHaveLength(2);
  });

  it('fuses its views into the instances of a service (panic threshold from the settings)', async () => {
    const { prober, probe } = setup({ type: 'tcp', interval: '1s', timeout: '500ms', fall: 1, panic: 30 });
    probe.answer = (port) => (port === 1001 ? REFUSED : OK);
    const list = instances(4);
    prober.track('web', list);
    await advance(600);
    const fused = prober.fuse('web', list);
    expect(fused).toMatchObject({ ejected: [probeKey(instance(1))], panic: false, probeDown: 1 });
    expect(fused.instances.map((i) => i.Status)).toEqual(['critical', 'passing', 'passing', 'passing']);
    expect(prober.fuse('db', list).instances).toBe(list);
  });

  it('takes a pino logger as it is', () => {
    const prober = new Prober({ settings: { services: {} }, log: pino({ enabled: false }) });
    expect(prober.stats().inFlight).toBe(0);
  });
});
