import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { makeInstance } from '../../../src/catalog/instance.js';
import { CatalogScreen } from '../../../src/feed/screen.js';
import type { Dependency, Instance, ServiceSummary } from '../../../src/catalog/types.js';

const good: Instance = makeInstance({ ID: 'web-1', Name: 'web', Node: 'n1', Address: '10.0.0.1', Port: '80', Tags: ['v1', 'version=1.2'], Meta: { zone: 'eu west "a"' }, Status: 'passing', Datacenter: 'dc1', Source: 'consul' });
const dep: Dependency = { kind: 'service', source: 'consul', name: 'web', status: ['passing'] };

describe('CatalogScreen', () => {
  it('drops refused instances, reports each once, and keeps the rest', () => {
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(line) });
    const screen = new CatalogScreen(new Set(), log);
    const bad = { ...good, ID: 'web-2', Address: 'evil;' };
    expect(screen.apply(dep, [good, bad])).toEqual([good]);
    expect(screen.apply(dep, [good, bad])).toEqual([good]);
    expect(lines).toHaveLength(1);
    expect(screen.rejected).toBe(1);
    expect(lines[0]).toContain('evil;');
  });

  it('lets a relaxed source through unchanged', () => {
    const screen = new CatalogScreen(new Set(['consul']), pino({ level: 'silent' }));
    const odd = { ...good, Tags: ['with space'] };
    expect(screen.apply(dep, [odd])).toEqual([odd]);
  });
});

describe('the screen over (services)', () => {
  const servicesDep: Dependency = { kind: 'services', source: 'consul' };
  const silent = (): CatalogScreen => new CatalogScreen(new Set(), pino({ level: 'silent' }));

  it('drops a service whose name is refused', () => {
    const listed = silent().apply(servicesDep, [
      { Name: 'web', Tags: ['v1'] },
      { Name: 'evil;}', Tags: [] },
    ]) as readonly ServiceSummary[];
    expect(listed.map((s) => s.Name)).toEqual(['web']);
  });

  it('keeps a service one of whose instances has a refused tag: only that tag is left out (one registrant must not hide a whole service)', () => {
    const listed = silent().apply(servicesDep, [
      { Name: 'web', Tags: ['v1', "x'\n    server evil 6.6.6.6:80 check"] },
      { Name: 'api', Tags: ['grpc'] },
    ]) as readonly ServiceSummary[];
    expect(listed).toEqual([
      { Name: 'web', Tags: ['v1'] },
      { Name: 'api', Tags: ['grpc'] },
    ]);
  });
});
