import { describe, expect, it } from 'vitest';
import { TemplateHealth } from '../../../src/template/health.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const report = (ok: boolean, at = T0) => ({ command: 'nginx -s reload', destinations: ['/out.conf'], ok, exitCode: ok ? 0 : 1, timedOut: false, at });

describe('TemplateHealth', () => {
  it('is current until something fails, with nothing recorded yet', () => {
    expect(new TemplateHealth().view()).toEqual({ current: true, notCurrent: undefined, lastWrite: undefined, lastCheck: undefined, lastCommand: undefined, retry: undefined, rollbacks: 0 });
  });

  it('records the last write, check and command', () => {
    const health = new TemplateHealth();
    health.wrote(T0, 'written');
    health.checked(T0, true);
    health.commandRan(report(true), 'ok');
    expect(health.view()).toMatchObject({ current: true, lastWrite: { at: '2026-01-01T00:00:00.000Z', outcome: 'written' }, lastCheck: { ok: true }, lastCommand: { command: 'nginx -s reload', ok: true, exitCode: 0 } });
  });

  it('is not current after a failed write or reload, counting from the first failure, until committed', () => {
    const health = new TemplateHealth();
    health.writeFailed(T0, 'EACCES');
    health.commandRan(report(false, T0 + 5000), 'rolled back');
    health.retrying(2, T0 + 20_000);
    expect(health.view()).toMatchObject({
      current: false,
      notCurrent: { reason: 'reload failed, rolled back', since: '2026-01-01T00:00:00.000Z' },
      lastWrite: { outcome: 'failed', error: 'EACCES' },
      retry: { attempts: 2, nextAt: '2026-01-01T00:00:20.000Z' },
      rollbacks: 1,
    });
    health.committed();
    expect(health.view()).toMatchObject({ current: true, notCurrent: undefined, retry: undefined, rollbacks: 1 });
  });

  it('says why: a reload kept with nothing to roll back to, a missing file', () => {
    const kept = new TemplateHealth();
    kept.commandRan(report(false), 'kept');
    expect(kept.view().notCurrent?.reason).toBe('reload failed, nothing to roll back to');
    const missing = new TemplateHealth();
    missing.missing(T0);
    expect(missing.view().notCurrent?.reason).toBe('file missing');
  });

  it('keeps the error of a refused check', () => {
    const health = new TemplateHealth();
    health.checked(T0, false, 'nginx: [emerg] unexpected "}"');
    expect(health.view().lastCheck).toEqual({ at: '2026-01-01T00:00:00.000Z', ok: false, error: 'nginx: [emerg] unexpected "}"' });
    expect(health.view().current, 'a refused check leaves the last good file: still current').toBe(true);
  });
});
