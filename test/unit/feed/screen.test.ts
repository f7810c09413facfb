import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { makeInstance } from '../../../src/catalog/instance.js';
import { CatalogScreen } from '../../../src/feed/screen.js';
import type { Dependency, Instance } from '../../../src/catalog/types.js';
import { instanceProblem, visible } from '../../../src/feed/validate.js';

const good: Instance = makeInstance({ ID: 'web-1', Name: 'web', Node: 'n1', Address: '10.0.0.1', Port: '80', Tags: ['v1', 'version=1.2'], Meta: { zone: 'eu west "a"' }, Status: 'passing', Datacenter: 'dc1', Source: 'consul' });
const dep: Dependency = { kind: 'service', source: 'consul', name: 'web', status: ['passing'] };

describe('catalog validation', () => {
  it('accepts ordinary instances, IPv6 and host names', () => {
    expect(instanceProblem(good)).toBeUndefined();
    expect(instanceProblem({ ...good, Address: '2001:db8::1' })).toBeUndefined();
    expect(instanceProblem({ ...good, Address: 'web-1.service.consul' })).toBeUndefined();
  });

  it.each([
    [{ Address: '10.0.0.1;\n  server evil:80' }, /address/],
    [{ Address: '' }, /address/],
    [{ Port: '0' }, /port/],
    [{ Port: '8080;' }, /port/],
    [{ Name: 'web}' }, /service name/],
    [{ ID: 'a b' }, /ID/],
    [{ Node: 'n1\n' }, /node/],
    [{ Tags: ['ok', 'bad tag'] }, /tag/],
    [{ Meta: { 'bad key': 'x' } }, /meta key/],
    [{ Meta: { note: 'line\nbreak' } }, /meta note/],
  ])('refuses %j', (change, reason) => {
    expect(instanceProblem({ ...good, ...change } as Instance)).toMatch(reason);
  });

  it('shows refused values with control characters escaped', () => {
    expect(visible('a\nb\u0000')).toBe('a\\nb\\u0000');
  });

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
