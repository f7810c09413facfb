import { describe, expect, it } from 'vitest';
import type { Dependency } from '../../../src/catalog/types.js';
import { InputError } from '../../../src/errors.js';
import type { Deduplicator } from '../../../src/registries/definition.js';
import type { SourceConfig } from '../../../src/registries/settings.js';
import type { Source } from '../../../src/registries/source.js';
import { startSources } from '../../../src/registries/start.js';
import { FakeSource } from '../../support/fake-source.js';
import { captureLog } from '../../support/log-capture.js';

const config = (name: string): SourceConfig => ({ name, registry: 'file', settings: { path: `/${name}.yaml` }, description: `file:/${name}.yaml` });
const WEB: Dependency = { kind: 'service', source: 'a', name: 'web', status: ['passing'] };

function setup() {
  const capture = captureLog();
  const created: { name: string; watch: boolean }[] = [];
  const sources = new Map<string, FakeSource>();
  const data: string[] = [];
  const problems: string[] = [];
  const options = {
    watch: true,
    create: (c: SourceConfig, o: { watch: boolean }) => {
      created.push({ name: c.name, watch: o.watch });
      const source = new FakeSource(c.name);
      sources.set(c.name, source);
      return source;
    },
    dedup: undefined as Deduplicator | undefined,
    log: capture.log,
    data: (dep: Dependency) => void data.push(dep.source),
    problem: (name: string) => void problems.push(name),
  };
  return { ...capture, created, sources, data, problems, options };
}

describe('startSources', () => {
  it('builds every configured source in order, telling each whether to watch, and starts it', async () => {
    const { created, sources, options, at } = setup();
    const into = new Map<string, Source>();
    await startSources([config('a'), config('b')], into, { ...options, watch: false });
    expect(created).toEqual([{ name: 'a', watch: false }, { name: 'b', watch: false }]);
    expect([...into.keys()]).toEqual(['a', 'b']);
    expect([...sources.values()].every((s) => s.started)).toBe(true);
    expect(at('info').map((l) => [l.source, l.msg])).toEqual([['a', 'source started'], ['b', 'source started']]);
  });

  it("passes a source's answers on, and logs its problems and news with its name", async () => {
    const { sources, options, data, problems, at } = setup();
    await startSources([config('a')], new Map(), options);
    const a = sources.get('a') as FakeSource;
    a.deliver(WEB, []);
    a.sink?.error('lost the connection', new Error('ECONNRESET'));
    a.sink?.info('answers again');
    expect(data).toEqual(['a']);
    expect(problems).toEqual(['a']);
    expect(at('error')[0]).toMatchObject({ source: 'a', msg: 'lost the connection', err: 'ECONNRESET' });
    expect(at('info').some((l) => l.source === 'a' && l.msg === 'answers again')).toBe(true);
  });

  it('wraps every source in dedup mode', async () => {
    const { options } = setup();
    const wrapped: string[] = [];
    const dedup: Deduplicator = {
      wrap: (s) => (wrapped.push(s.name), s),
      start: async () => undefined,
      stop: async () => undefined,
    };
    await startSources([config('a'), config('b')], new Map(), { ...options, dedup });
    expect(wrapped).toEqual(['a', 'b']);
  });

  it("stops at a source whose own input is invalid, with that source's error", async () => {
    const { options } = setup();
    const broken = async (): Promise<never> => {
      throw new InputError('cannot read catalog file (ENOENT)', '/a.yaml');
    };
    await expect(startSources([config('a')], new Map(), { ...options, create: broken })).rejects.toThrow(/cannot read catalog file/);
  });
});
