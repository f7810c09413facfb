import { describe, expect, it } from 'vitest';
import { healthVerdict, type PipelineStatus, type SourceStatus, type TemplateStatus } from '../../../src/observe/status.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const ago = (ms: number): string => new Date(NOW - ms).toISOString();
const template = (over: Partial<TemplateStatus> = {}): TemplateStatus => ({
  source: '/t.hbs', destination: '/out.conf', rendered: true, lastRenderAt: undefined, waitingFor: [], lastError: undefined,
  current: true, notCurrent: undefined, lastWrite: undefined, lastCheck: undefined, lastCommand: undefined, retry: undefined, rollbacks: 0, ...over,
});
const source = (over: Partial<SourceStatus> = {}): SourceStatus => ({ name: 'reg', description: 'd', failing: false, failingForMs: 0, problems: [], requests: 0, failures: 0, ...over });
const status = (templates: TemplateStatus[], sources: SourceStatus[] = []): PipelineStatus => ({ templates, sources, dependencies: [], guards: {}, probes: {} });
const SETTINGS = { sourceFailingMs: 60_000, templateGraceMs: 30_000 };

describe('healthVerdict', () => {
  it('is healthy once every template has rendered and is current, and no source has failed for too long', () => {
    expect(healthVerdict(status([template()], [source()]), SETTINGS, NOW)).toEqual({ healthy: true, reasons: [] });
  });

  it('names a template that has not rendered yet, and what it waits for', () => {
    const verdict = healthVerdict(status([template({ destination: '/a.conf', rendered: false, waitingFor: ['reg:key(x)'] }), template({ destination: '/b.conf', rendered: false })]), SETTINGS, NOW);
    expect(verdict).toEqual({ healthy: false, reasons: ['template /a.conf has not rendered yet (waiting for reg:key(x))', 'template /b.conf has not rendered yet'] });
  });

  it('tolerates a failing source for the grace period, then names it', () => {
    expect(healthVerdict(status([template()], [source({ failing: true, failingForMs: 60_000 })]), SETTINGS, NOW).healthy).toBe(true);
    expect(healthVerdict(status([template()], [source({ failing: true, failingForMs: 90_400 })]), SETTINGS, NOW)).toEqual({ healthy: false, reasons: ['source reg has been failing for 90 s'] });
  });

  it('tolerates a file that is not current for its grace, then names it, why, and its next retry', () => {
    const notCurrent = (ms: number) => template({ current: false, notCurrent: { reason: 'reload failed, rolled back', since: ago(ms) }, retry: { attempts: 2, nextAt: '2026-01-01T12:00:20.000Z' } });
    expect(healthVerdict(status([notCurrent(30_000)]), SETTINGS, NOW).healthy).toBe(true);
    expect(healthVerdict(status([notCurrent(45_000)]), SETTINGS, NOW)).toEqual({ healthy: false, reasons: ['/out.conf is not current: reload failed, rolled back 45 s ago, retry 2 at 2026-01-01T12:00:20.000Z'] });
  });

  it('stays healthy for a template with a last error whose last good file is in place', () => {
    expect(healthVerdict(status([template({ lastError: 'check failed' })]), SETTINGS, NOW).healthy).toBe(true);
  });
});
