import { describe, expect, it } from 'vitest';
import type { GuardStatus } from '../../../src/feed/guards/guards.js';
import { pipelineStatus, sourceStats } from '../../../src/pipeline/status.js';
import { CONNECTION } from '../../../src/registries/health.js';
import { FakeSource } from '../../support/fake-source.js';
import { tempDir } from '../../support/tmp.js';
import { loadUnit } from '../../support/units.js';
import { inputs } from '../template/fixtures.js';

const HELD: GuardStatus = { Healthy: '3', Held: '1', Filtered: '0', Damped: 'false' };

describe('pipelineStatus', () => {
  it('shows each template: rendered or what it waits for, when it last rendered, its last error', async () => {
    const dir = await tempDir('ctmpl-status-');
    const waiting = await loadUnit(dir, 'waiting', '{{key "app/x"}}');
    waiting.render(inputs());
    const done = await loadUnit(dir, 'done', 'static');
    done.render(inputs());
    done.lastError = 'check failed: exit 1';
    done.health.writeFailed(Date.parse('2026-01-01T00:00:00Z'), 'EACCES');
    const status = pipelineStatus([waiting, done], new Map(), [], () => undefined, Date.now());
    expect(status.templates).toEqual([
      { source: waiting.config.source, destination: waiting.name, rendered: false, lastRenderAt: undefined, waitingFor: ['file:key(app/x)'], lastError: undefined, ...waiting.health.view() },
      { source: done.config.source, destination: done.name, rendered: true, lastRenderAt: new Date(done.lastRenderAt as number).toISOString(), waitingFor: [], lastError: 'check failed: exit 1', ...done.health.view() },
    ]);
    expect(status.templates[1]).toMatchObject({ current: false, notCurrent: { reason: 'write failed', since: '2026-01-01T00:00:00.000Z' } });
  });

  it('shows each source with its open problems, how long it has failed and its counters', () => {
    let now = 10_000;
    const ok = new FakeSource('ok', { now: () => now });
    const down = new FakeSource('down', { now: () => now, description: 'consul+http://10.0.0.9:8500' });
    down.health.report('HTTP 500', 'down:service(web|passing)', 'HTTP 500');
    down.stats.requests = 7;
    down.stats.failures = 2;
    now = 25_000;
    const status = pipelineStatus([], new Map([['ok', ok], ['down', down]]), [], () => undefined, now);
    expect(status.sources).toEqual([
      { name: 'ok', description: 'fake:ok', failing: false, failingForMs: 0, problems: [], requests: 0, failures: 0 },
      {
        name: 'down',
        description: 'consul+http://10.0.0.9:8500',
        failing: true,
        failingForMs: 15_000,
        problems: [{ problem: 'HTTP 500', subjects: ['down:service(web|passing)'], since: 10_000 }],
        requests: 7,
        failures: 2,
      },
    ]);
  });

  it('lists the watched dependencies and the guard state of those that have one', () => {
    const status = pipelineStatus([], new Map(), ['a', 'b'], (id) => (id === 'b' ? HELD : undefined), 0);
    expect(status.dependencies).toEqual(['a', 'b']);
    expect(status.guards).toEqual({ b: HELD });
  });

  it('shows the probed services it is given, none by default', () => {
    const probes = { web: { instances: 3, down: 1, panic: false, probes: 12, failures: 2 } };
    expect(pipelineStatus([], new Map(), [], () => undefined, 0).probes).toEqual({});
    expect(pipelineStatus([], new Map(), [], () => undefined, 0, probes).probes).toEqual(probes);
  });
});

describe('sourceStats', () => {
  it('gives each source its counters and whether it is failing, for metrics', () => {
    const a = new FakeSource('a');
    a.stats.requests = 3;
    a.health.report('lost', CONNECTION, 'lost');
    expect(sourceStats(new Map([['a', a]]))).toEqual([{ name: 'a', requests: 3, failures: 0, failing: true }]);
  });
});
