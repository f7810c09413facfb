/**
 * Catalog nodes (`node`, `nodes`, `datacenters`) pass the screen as Consul holds them, but for a
 * node name with a control character, which no config line can hold safely.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { CatalogNode, Dependency, NodeInfo } from '../../../src/catalog/types.js';
import { CatalogScreen } from '../../../src/feed/screen.js';

const info = (name: string): NodeInfo => ({ ID: '', Node: name, Address: '10.0.0.1', Datacenter: 'dc1', TaggedAddresses: {}, Meta: { note: 'tabs\tpass in meta' } });

function screenWithLog(): { screen: CatalogScreen; reasons: string[] } {
  const reasons: string[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => reasons.push(String((JSON.parse(line) as { reason?: unknown }).reason)) });
  return { screen: new CatalogScreen(new Set(), log), reasons };
}

describe('the screen and catalog nodes', () => {
  const nodesDep: Dependency = { kind: 'nodes', source: 'consul' };
  const nodeDep: Dependency = { kind: 'node', source: 'consul', name: 'n1' };

  it('passes a node list as it is (the same object) when every name is usable', () => {
    const { screen, reasons } = screenWithLog();
    const list = [info('n1'), info('n 2=/(`x`)')];
    expect(screen.apply(nodesDep, list)).toBe(list);
    expect(reasons).toEqual([]);
  });

  it('drops a node whose name holds a control character, and says so once', () => {
    const { screen, reasons } = screenWithLog();
    const list = [info('n1'), info('bad\nname')];
    expect((screen.apply(nodesDep, list) as NodeInfo[]).map((n) => n.Node)).toEqual(['n1']);
    screen.apply(nodesDep, list);
    expect(reasons).toEqual(['node "bad\\nname" holds a control character']);
    expect(screen.rejected).toBe(1);
  });

  it('reads one node with such a name as no node, and passes null and good nodes through', () => {
    const { screen } = screenWithLog();
    const good: CatalogNode = { Node: info('n1'), Services: [] };
    expect(screen.apply(nodeDep, good)).toBe(good);
    expect(screen.apply(nodeDep, null)).toBeNull();
    expect(screen.apply(nodeDep, { Node: info('n1\u009b'), Services: [] })).toBeNull();
  });

  it('passes the datacenter list unchanged', () => {
    const { screen } = screenWithLog();
    const dcs = ['dc1', 'dc2'];
    expect(screen.apply({ kind: 'datacenters', source: 'consul', ignoreFailing: false }, dcs)).toBe(dcs);
  });
});
