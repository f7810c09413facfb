import { describe, expect, it } from 'vitest';
import { dependencyId, type CatalogNode, type Dependency, type NodeInfo } from '../../../../src/catalog/types.js';
import { compileTemplate } from '../../../../src/template/engine.js';
import { inputs, sourceMap } from '../fixtures.js';

const node = (name: string, address: string): NodeInfo => ({ ID: `id-${name}`, Node: name, Address: address, Datacenter: 'dc1', TaggedAddresses: { lan: address }, Meta: { rack: `r-${name}` } });

const AGENT: CatalogNode = {
  Node: node('agent-1', '10.0.0.1'),
  Services: [{ ID: 'api-0', Service: 'api', Tags: ['a', 'b'], Meta: {}, Port: '9000', Address: '', EnableTagOverride: 'false' }],
};

const CONSUL = { defaultSource: 'consul', sources: sourceMap({ consul: 'consul', files: 'file' }) };

/** Renders with answers for the given dependencies (by id); the rest has not arrived. */
function renderWith(template: string, answers: readonly (readonly [Dependency, unknown])[]): { output: string | undefined; asked: Dependency[] } {
  const data = new Map(answers.map(([dep, value]) => [dependencyId(dep), value]));
  const result = compileTemplate('t.hbs', template).render(inputs(data, CONSUL));
  return { output: result.output, asked: [...result.context.used.values()] };
}

describe('node', () => {
  it("(node) reads the agent's own node: its fields and its services", () => {
    const dep: Dependency = { kind: 'node', source: 'consul' };
    const { output } = renderWith('{{#with (node)}}{{Node.Node}} {{Node.Address}} {{Node.Meta.rack}}{{#each Services}} {{ID}}:{{Port}}:{{join Tags ","}}{{/each}}{{/with}}', [[dep, AGENT]]);
    expect(output).toBe('agent-1 10.0.0.1 r-agent-1 api-0:9000:a,b');
  });

  it('(node "name@dc") asks for that node in that datacenter; dc= does the same', () => {
    expect(renderWith('{{node "n1@dc2"}}', []).asked).toEqual([{ kind: 'node', source: 'consul', name: 'n1', dc: 'dc2' }]);
    expect(renderWith('{{node "n1" dc="dc2"}}', []).asked).toEqual([{ kind: 'node', source: 'consul', name: 'n1', dc: 'dc2' }]);
  });

  it('gives null for a node the catalog does not have, so {{#with}} takes its else', () => {
    const dep: Dependency = { kind: 'node', source: 'consul', name: 'gone' };
    expect(renderWith('{{#with (node "gone")}}found{{else}}no such node{{/with}}', [[dep, null]]).output).toBe('no such node');
  });

  it('refuses a datacenter that is not a name, and "@dc" without a node', () => {
    expect(() => renderWith('{{node "n1@d c"}}', [])).toThrow(/bad datacenter "d c"/);
    expect(() => renderWith('{{node "@dc2"}}', [])).toThrow(/name the node/);
  });
});

describe('nodes', () => {
  const list = [node('a', '10.0.0.2'), node('b', '10.0.0.3')];

  it('lists every node with consul-template\'s fields', () => {
    const dep: Dependency = { kind: 'nodes', source: 'consul' };
    expect(renderWith('{{#each (nodes)}}{{Node}} {{Address}} {{Datacenter}} {{TaggedAddresses.lan}} {{Meta.rack}} {{ID}};{{/each}}', [[dep, list]]).output).toBe(
      'a 10.0.0.2 dc1 10.0.0.2 r-a id-a;b 10.0.0.3 dc1 10.0.0.3 r-b id-b;',
    );
  });

  it('reads "@dc~near" as consul-template does, and dc=/near= the same', () => {
    const expected = [{ kind: 'nodes', source: 'consul', dc: 'dc2', near: '_agent' }];
    expect(renderWith('{{nodes "@dc2~_agent"}}', []).asked).toEqual(expected);
    expect(renderWith('{{nodes dc="dc2" near="_agent"}}', []).asked).toEqual(expected);
    expect(() => renderWith('{{nodes "web"}}', [])).toThrow(/expected "@dc", "~near" or "@dc~near"/);
  });
});

describe('datacenters', () => {
  it('lists the names; (datacenters true) asks for the reachable ones only', () => {
    const all: Dependency = { kind: 'datacenters', source: 'consul', ignoreFailing: false };
    const reachable: Dependency = { kind: 'datacenters', source: 'consul', ignoreFailing: true };
    expect(renderWith('{{#each (datacenters)}}{{this}} {{/each}}|{{#each (datacenters true)}}{{this}} {{/each}}', [[all, ['dc1', 'dc2']], [reachable, ['dc1']]]).output).toBe('dc1 dc2 |dc1 ');
  });

  it('takes only true or false', () => {
    expect(() => renderWith('{{datacenters "yes"}}', [])).toThrow(/expected true or false/);
  });
});

describe('a registry without catalog nodes', () => {
  it('fails the render with an error that names the source and says which registry has nodes', () => {
    for (const template of ['{{node source="files"}}', '{{nodes source="files"}}', '{{datacenters source="files"}}']) {
      expect(() => renderWith(template, [])).toThrow(/source "files" \(file\) has no catalog nodes; only Consul has catalog nodes/);
    }
  });

  it('picks the first source with nodes when none is named', () => {
    const only = { defaultSource: 'files', sources: sourceMap({ files: 'file', consul: 'consul' }) };
    const result = compileTemplate('t.hbs', '{{nodes}}').render(inputs(new Map(), only));
    expect([...result.context.used.values()]).toEqual([{ kind: 'nodes', source: 'consul' }]);
  });

  it('fails when no configured source has nodes', () => {
    const files = { defaultSource: 'files', sources: sourceMap({ files: 'file' }) };
    expect(() => compileTemplate('t.hbs', '{{nodes}}').render(inputs(new Map(), files))).toThrow(/no configured source has catalog nodes/);
  });
});
