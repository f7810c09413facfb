import { writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, test } from 'vitest';
import { parseConfig } from '../../src/actions/haproxy/config.js';
import { capabilitiesOf, planChanges } from '../../src/actions/haproxy/plan.js';
import { HaproxyRuntime, type RuntimeResult } from '../../src/actions/haproxy/runtime.js';
import { HaproxySocket } from '../../src/actions/haproxy/socket.js';
import { ADMIN, parseBackends, parseInfo, parseServersState } from '../../src/actions/haproxy/state.js';
import { startBackends, type Backend } from '../support/backends.js';
import { waitFor } from '../support/ctmpl.js';
import { startHaproxy, startKeepAliveLoad, type HaproxyServer, type KeepAliveLoad } from '../support/haproxy.js';
import { tempDir } from '../support/tmp.js';

/**
 * ctmpl's haproxy Runtime API path against the real haproxy (Debian's 2.6, master-worker mode)
 * with real HTTP backends behind it, under keep-alive load from the test: server changes are
 * applied without a reload (no failed request, the same worker), traffic follows each change,
 * what needs a reload says so, and reconcile converges after an interrupted apply or a reload.
 */

/** One `server` line of backend web: a name, the backend it points at, its weight and state. */
interface Slot {
  readonly name: string;
  readonly to: Backend;
  readonly weight?: number;
  readonly disabled?: boolean;
}

const backendText = (servers: readonly Slot[], extra = ''): string =>
  `backend web\n    balance roundrobin\n${extra}${servers.map((s) => `    server ${s.name} ${s.to.hostPort} weight ${s.weight ?? 1}${s.disabled ? ' disabled' : ''}\n`).join('')}`;

const figures: Record<string, unknown> = {};
afterAll(() => {
  console.log(`haproxy runtime figures: ${JSON.stringify(figures, null, 1)}`);
});

async function setUp(names: readonly string[], first: (b: Backend[]) => Slot[]): Promise<{ haproxy: HaproxyServer; backends: Backend[]; text: (s: readonly Slot[], extra?: string) => string; initial: Slot[] }> {
  const dir = await tempDir('ctmpl-haproxy-');
  const backends = await startBackends(names);
  const initial = first(backends);
  const haproxy = await startHaproxy({ dir, backends: backendText(initial) });
  return { haproxy, backends, initial, text: (servers, extra) => `${haproxy.head}${backendText(servers, extra)}` };
}

/** The running servers of web as the file would give them: in service (ready) or not. */
async function runningWeb(haproxy: HaproxyServer): Promise<{ name: string; endpoint: string; weight: number; maint: boolean }[]> {
  return (await haproxy.servers('web')).map((s) => ({ name: s.name, endpoint: `${s.address}:${s.port}`, weight: s.weight, maint: (s.admin & ADMIN.forcedMaint) !== 0 })).sort((a, b) => (a.name < b.name ? -1 : 1));
}

const expectedWeb = (servers: readonly Slot[]): { name: string; endpoint: string; weight: number; maint: boolean }[] =>
  servers.map((s) => ({ name: s.name, endpoint: s.to.hostPort, weight: s.weight ?? 1, maint: s.disabled === true })).sort((a, b) => (a.name < b.name ? -1 : 1));

function expectApplied(result: RuntimeResult): asserts result is Extract<RuntimeResult, { kind: 'applied' }> {
  expect(result, JSON.stringify(result)).toMatchObject({ kind: 'applied' });
}

/** Waits for `count` more requests to complete after `since`, so a share of traffic can be measured. */
async function requestsAfter(load: KeepAliveLoad, since: number, count: number): Promise<void> {
  await waitFor(() => load.records.filter((r) => r.startedAt >= since).length >= count, { timeoutMs: 10_000, what: `${count} requests after the change` });
}

describe('haproxy Runtime API (real haproxy)', () => {
  test('adds, removals, weight, address and state changes under keep-alive load: no failed request, the same worker, traffic follows each change', async () => {
    const { haproxy, backends, initial, text } = await setUp(['b1', 'b2', 'b3', 'b4', 'b5', 'b6'], ([b1, b2]) => [
      { name: 's1', to: b1 as Backend },
      { name: 's2', to: b2 as Backend },
    ]);
    const [b1, b2, b3, b4, b5, b6] = backends as [Backend, Backend, Backend, Backend, Backend, Backend];
    const runtime = new HaproxyRuntime({ socket: haproxy.socket, timeoutMs: 2000, budgetMs: 10_000 });
    const worker = await haproxy.workerPid();
    expect((await runtime.reconcile(text(initial))).kind, 'nothing to fix at start').toBe('applied');
    const load = startKeepAliveLoad(haproxy.url, { concurrency: 4, maxMs: 60_000 });
    await requestsAfter(load, 0, 50);

    /** Each change, then what traffic must show once it is applied. */
    const changes: { servers: Slot[]; serves?: Backend[]; idle?: Backend[]; ratio?: [Backend, Backend, number] }[] = [
      { servers: [{ name: 's1', to: b1 }, { name: 's2', to: b2 }, { name: 's3', to: b3 }], serves: [b3] },
      { servers: [{ name: 's1', to: b1 }, { name: 's2', to: b2 }, { name: 's3', to: b3 }, { name: 's4', to: b4 }], serves: [b4] },
      { servers: [{ name: 's1', to: b1 }, { name: 's3', to: b3 }, { name: 's4', to: b4 }], idle: [b2] },
      { servers: [{ name: 's1', to: b5 }, { name: 's3', to: b3 }, { name: 's4', to: b4 }], serves: [b5], idle: [b1, b2] },
      { servers: [{ name: 's1', to: b5, weight: 1 }, { name: 's3', to: b3, weight: 4 }, { name: 's4', to: b4, weight: 1 }], ratio: [b3, b4, 2.5] },
      { servers: [{ name: 's1', to: b5 }, { name: 's3', to: b3, weight: 4 }, { name: 's4', to: b4, disabled: true }], idle: [b4] },
      { servers: [{ name: 's1', to: b5 }, { name: 's3', to: b3 }, { name: 's4', to: b4 }, { name: 's6', to: b6, weight: 2 }], serves: [b4, b6] },
      { servers: [{ name: 's6', to: b6 }, { name: 's2', to: b2 }], serves: [b6, b2], idle: [b3, b4, b5] },
    ];
    let previous = initial;
    const byKind: Record<string, number> = {};
    let commands = 0;
    const started = performance.now();
    for (const [i, change] of changes.entries()) {
      const result = await runtime.apply(text(change.servers), text(previous));
      expectApplied(result);
      commands += result.commands;
      for (const [kind, n] of Object.entries(result.byKind)) byKind[kind] = (byKind[kind] ?? 0) + n;
      expect(result.pendingRemovals, `change ${i}`).toEqual([]);
      expect(await runningWeb(haproxy), `change ${i}: the running servers are the file's`).toEqual(expectedWeb(change.servers));
      const appliedAt = performance.now();
      for (const b of change.serves ?? []) await waitFor(() => load.servedBy(b.name, appliedAt) > 0, { timeoutMs: 5000, what: `change ${i}: ${b.name} to serve` });
      await requestsAfter(load, appliedAt, 120);
      for (const b of change.idle ?? []) expect(load.servedBy(b.name, appliedAt), `change ${i}: ${b.name} gets no request once removed`).toBe(0);
      if (change.ratio) {
        const [heavy, light, atLeast] = change.ratio;
        expect(load.servedBy(heavy.name, appliedAt), `change ${i}: weight 4 vs 1`).toBeGreaterThan(atLeast * load.servedBy(light.name, appliedAt));
      }
      previous = change.servers;
    }
    const elapsedMs = performance.now() - started;
    await load.stop();
    expect(load.failures(), 'failed requests').toEqual([]);
    expect(await haproxy.workerPid(), 'the same haproxy worker: no reload').toBe(worker);
    figures.runtimeScenario = { changes: changes.length, commands, byKind, requests: load.records.length, failed: load.failures().length, connections: load.connections(), reloads: 0, ms: Math.round(elapsedMs) };
  });

  test('a structural change, a new backend, an option haproxy refuses on "add server" and a hostile name all answer reload; nothing hostile reaches the socket', async () => {
    const { haproxy, backends, initial, text } = await setUp(['b1', 'b2'], ([b1]) => [{ name: 's1', to: b1 as Backend }]);
    const [b1, b2] = backends as [Backend, Backend];
    const runtime = new HaproxyRuntime({ socket: haproxy.socket });
    const before = text(initial);

    const structural = await runtime.apply(text(initial, '    option httpchk GET /health\n'), before);
    expect(structural).toMatchObject({ kind: 'reload', commands: 0 });
    expect(structural.kind === 'reload' && structural.reason).toMatch(/outside server lines/);

    expect(await runtime.apply(`${before}backend api\n    server a1 ${b2.hostPort}\n`, before)).toMatchObject({ kind: 'reload', commands: 0 });
    expect(await runtime.apply(before, undefined)).toMatchObject({ kind: 'reload', reason: 'no previous file to compare with' });

    const cookie = await runtime.apply(`${before}    server s2 ${b2.hostPort} cookie s2\n`, before);
    expect(cookie).toMatchObject({ kind: 'reload', commands: 1 });
    expect(cookie.kind === 'reload' && cookie.reason).toMatch(/not accepted for dynamic server/);

    const hostile = await runtime.apply(`${before}    server s2;shutdown ${b2.hostPort}\n    server s3 ${b2.hostPort} check;disable\n`, before);
    expect(hostile).toMatchObject({ kind: 'reload', commands: 0 });

    // haproxy still runs the first file, with s1 only: nothing was injected.
    expect((await runningWeb(haproxy)).map((s) => s.name)).toEqual(['s1']);
    expect(b1.running).toBe(true);
  });

  test('an apply cut off half way (the applier killed) converges with reconcile', async () => {
    const { haproxy, backends, text } = await setUp(['b1', 'b2', 'b3', 'b4'], ([b1, b2]) => [
      { name: 's1', to: b1 as Backend },
      { name: 's2', to: b2 as Backend },
    ]);
    const [b1, , b3, b4] = backends as [Backend, Backend, Backend, Backend];
    const target: Slot[] = [{ name: 's1', to: b4, weight: 3 }, { name: 's3', to: b3 }, { name: 's4', to: b4, disabled: true }, { name: 's5', to: b1 }];
    const socket = new HaproxySocket(haproxy.socket);
    const plan = planChanges(parseConfig(text(target)), parseServersState(await socket.send('show servers state')), parseBackends(await socket.send('show backend')), capabilitiesOf(parseInfo(await socket.send('show info'))));
    if (plan.kind !== 'plan') throw new Error(plan.reason);
    const steps = [...plan.bringUp, ...plan.takeDown];
    for (const step of steps.slice(0, Math.ceil(steps.length / 2))) expect((await socket.run(step.command)).ok).toBe(true);
    expect(await runningWeb(haproxy)).not.toEqual(expectedWeb(target));

    const runtime = new HaproxyRuntime({ socket: haproxy.socket });
    const first = await runtime.reconcile(text(target));
    expectApplied(first);
    expect(first.differences.length, 'drift found').toBeGreaterThan(0);
    expect(await runningWeb(haproxy)).toEqual(expectedWeb(target));
    const second = await runtime.reconcile(text(target));
    expectApplied(second);
    expect(second).toMatchObject({ commands: 0, differences: [] });
    figures.interrupted = { planned: steps.length + plan.removals.length * 2, sentBeforeKill: Math.ceil(steps.length / 2), reconcileCommands: first.commands, driftFound: first.differences };
  });

  test('after a reload (the server-state file restores the old addresses over the new file), reconcile puts the file back', async () => {
    const { haproxy, backends, initial, text } = await setUp(['b1', 'b2', 'b3'], ([b1, b2]) => [
      { name: 's1', to: b1 as Backend },
      { name: 's2', to: b2 as Backend, weight: 2 },
    ]);
    const [, b2, b3] = backends as [Backend, Backend, Backend];
    const runtime = new HaproxyRuntime({ socket: haproxy.socket });
    const next: Slot[] = [{ name: 's1', to: b3 }, { name: 's2', to: b2, weight: 2 }];
    // A structural change (a new line) goes with the address change, so ctmpl reloads.
    const file = text(next, '    retries 2\n');
    expect((await runtime.apply(file, text(initial))).kind).toBe('reload');
    await writeFile(haproxy.config, file);
    const oldWorker = await haproxy.workerPid();
    await haproxy.reload();
    const stale = await runningWeb(haproxy);
    const result = await runtime.reconcile(file, { previousWorker: oldWorker });
    expectApplied(result);
    expect(await runningWeb(haproxy)).toEqual(expectedWeb(next));
    figures.afterReload = { staleBeforeReconcile: stale.find((s) => s.name === 's1')?.endpoint, fileSays: b3.hostPort, reconcileFixed: result.differences };
  });

  test('side by side: the same changes as reloads (USR2) and through the Runtime API, under keep-alive load', async () => {
    const rounds = Number(process.env.HAPROXY_SIDE_BY_SIDE_CHANGES ?? 20);
    const { haproxy, backends, initial, text } = await setUp(['b1', 'b2', 'b3'], ([b1, b2]) => [
      { name: 's1', to: b1 as Backend },
      { name: 's2', to: b2 as Backend },
    ]);
    const [b1, b2, b3] = backends as [Backend, Backend, Backend];
    // Alternates: s3 added, then removed; its weight and s1's address change on the way.
    const sequence = (i: number): Slot[] =>
      i % 2 === 0 ? [{ name: 's1', to: i % 4 === 0 ? b1 : b3 }, { name: 's2', to: b2 }, { name: 's3', to: b3, weight: 1 + (i % 3) }] : [{ name: 's1', to: b1 }, { name: 's2', to: b2 }];
    const runtime = new HaproxyRuntime({ socket: haproxy.socket });

    const measure = async (mode: 'reload' | 'runtime'): Promise<Record<string, number>> => {
      const load = startKeepAliveLoad(haproxy.url, { concurrency: 8, maxMs: 90_000, pauseMs: 0 });
      await requestsAfter(load, 0, 100);
      const startPid = await haproxy.workerPid();
      let previous = initial;
      let reloads = 0;
      const started = performance.now();
      for (let i = 0; i < rounds; i += 1) {
        const servers = sequence(i);
        if (mode === 'reload') {
          await writeFile(haproxy.config, text(servers));
          await haproxy.reload({ saveState: false });
          reloads += 1;
        } else {
          const result = await runtime.apply(text(servers), text(previous));
          expectApplied(result);
        }
        previous = servers;
      }
      const ms = performance.now() - started;
      await requestsAfter(load, performance.now(), 100);
      await load.stop();
      await writeFile(haproxy.config, text(previous));
      return { changes: rounds, reloads, reloadsPer100Changes: (100 * reloads) / rounds, requests: load.records.length, failed: load.failures().length, connections: load.connections(), workerChanged: Number((await haproxy.workerPid()) !== startPid), ms: Math.round(ms), msPerChange: Math.round((10 * ms) / rounds) / 10 };
    };

    const viaRuntime = await measure('runtime');
    const viaReload = await measure('reload');
    figures.sideBySide = { viaReload, viaRuntime };
    console.log(`side by side, ${rounds} changes under keep-alive load:\n  reload (USR2): ${JSON.stringify(viaReload)}\n  runtime API:   ${JSON.stringify(viaRuntime)}`);
    expect(viaRuntime.failed).toBe(0);
    expect(viaRuntime.workerChanged).toBe(0);
    expect(viaReload.workerChanged).toBe(1);
  });
});

