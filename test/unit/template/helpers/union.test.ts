import { describe, expect, it } from 'vitest';
import { makeInstance } from '../../../../src/catalog/instance.js';
import { dependencyId, type Dependency, type Instance } from '../../../../src/catalog/types.js';
import { compileTemplate } from '../../../../src/template/engine.js';
import { unionInstances } from '../../../../src/template/helpers/catalog.js';
import { inputs, sourceMap } from '../fixtures.js';

/** Several configured sources: helpers without source= ask every source that can answer. */
const SOURCES = sourceMap({ reg: 'etcd', zoo: 'zookeeper', srv: 'dns' });

function instance(source: string, id: string, address: string, port = '80', node = address): Instance {
  return makeInstance({ ID: id, Name: 'web', Node: node, Address: address, Port: port, Tags: [], Meta: {}, Status: 'passing', Datacenter: '', Source: source });
}

/** Renders until discovery settles: `answers(dep)` gives a dependency's data (undefined: none yet). */
function renderWith(template: string, answers: (dep: Dependency) => unknown, unavailable: (source: string) => boolean = () => false) {
  const compiled = compileTemplate('t.hbs', template);
  const data = new Map<string, unknown>();
  let result = compiled.render(inputs(data, { sources: SOURCES, defaultSource: 'reg', unavailable }));
  for (let pass = 0; pass < 5; pass++) {
    for (const [id, dep] of result.context.used) {
      const value = answers(dep);
      if (value !== undefined) data.set(id, value);
    }
    result = compiled.render(inputs(data, { sources: SOURCES, defaultSource: 'reg', unavailable }));
  }
  return result;
}

describe('a helper without source= is the union of the sources that can answer it', () => {
  const web = (dep: Dependency): unknown => {
    if (dep.kind !== 'service') return undefined;
    if (dep.source === 'reg') return [instance('reg', 'a', '10.0.0.1'), instance('reg', 'dup', '10.0.0.9')];
    if (dep.source === 'zoo') return [instance('zoo', 'b', '10.0.0.2'), instance('zoo', 'dup', '10.0.0.9')];
    return [];
  };

  it('asks every source, keeps the first source’s copy of an Address:Port, sorts by Node then ID', () => {
    const result = renderWith('{{#each (service "web")}}{{ID}}@{{Source}} {{/each}}', web);
    expect(result.output).toBe('a@reg b@zoo dup@reg ');
    expect([...result.context.used.values()].map((d) => d.source)).toEqual(['reg', 'zoo', 'srv']);
  });

  it('narrows to one source with source=, and parses dotted names for ZooKeeper and DNS sources', () => {
    const result = renderWith('{{#each (service "web" source="zoo")}}{{ID}} {{/each}}|{{len (service "_http._tcp.web.example" source="srv")}}', web);
    expect(result.output).toBe('b dup |0');
    const names = [...result.context.used.values()].map((d) => (d.kind === 'service' ? `${d.source}:${d.name}:${d.tag ?? ''}` : ''));
    expect(names).toEqual(['zoo:web:', 'srv:_http._tcp.web.example:']);
  });

  it('waits for every source while none reports a problem', () => {
    const result = renderWith('{{#each (service "web")}}{{ID}} {{/each}}', (dep) => (dep.source === 'zoo' ? undefined : web(dep)));
    expect(result.output).toBeUndefined();
    expect([...result.context.waiting]).toEqual([dependencyId({ kind: 'service', source: 'zoo', name: 'web', status: ['passing'] })]);
  });

  it('renders without a source that reports a problem and has not answered', () => {
    const result = renderWith('{{#each (service "web")}}{{ID}}@{{Source}} {{/each}}', (dep) => (dep.source === 'zoo' ? undefined : web(dep)), (s) => s === 'zoo');
    expect(result.output).toBe('a@reg dup@reg ');
    expect(result.context.used.size).toBe(3);
  });

  it('lists services from the sources that can list them (not DNS), and reads keys from the first with keys', () => {
    const result = renderWith('{{#each (services)}}{{Name}}[{{join Tags ","}}] {{/each}}|{{key "k"}}', (dep) => {
      if (dep.kind === 'services') return dep.source === 'reg' ? [{ Name: 'web', Tags: ['a'] }] : [{ Name: 'api', Tags: [] }, { Name: 'web', Tags: ['b'] }];
      if (dep.kind === 'key') return `${dep.source}-value`;
      return undefined;
    });
    expect(result.output).toBe('api[] web[a,b] |reg-value');
  });

  it('refuses questions a named source cannot answer', () => {
    expect(() => renderWith('{{key "k" source="zoo"}}', () => undefined)).toThrow(/source "zoo" \(zookeeper\) has no keys and values/);
    expect(() => renderWith('{{#each (services source="srv")}}{{/each}}', () => undefined)).toThrow(/source "srv" \(dns\) has no list of services/);
  });

  it('deduplicates by Address:Port across any number of lists', () => {
    expect(unionInstances([[instance('x', '1', '10.0.0.1')], [instance('y', '2', '10.0.0.1'), instance('y', '3', '10.0.0.1', '81')]]).map((i) => `${i.Source}:${i.ID}`)).toEqual(['x:1', 'y:3']);
  });
});
