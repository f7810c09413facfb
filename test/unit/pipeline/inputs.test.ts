import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dependencyId, type Dependency } from '../../../src/catalog/types.js';
import { loadConfig } from '../../../src/config/load.js';
import { CatalogFeed } from '../../../src/feed/feed.js';
import { Guards } from '../../../src/feed/guards/guards.js';
import { CatalogScreen } from '../../../src/feed/screen.js';
import { renderInputs } from '../../../src/pipeline/inputs.js';
import { CONNECTION } from '../../../src/registries/health.js';
import { FakeSource } from '../../support/fake-source.js';
import { silentLog } from '../../support/log-capture.js';
import { tempDir } from '../../support/tmp.js';
import { loadUnit } from '../../support/units.js';

const KEY: Dependency = { kind: 'key', source: 'cat', key: 'app/x' };

async function setup(envAllow: string[] = []) {
  const dir = await tempDir('ctmpl-inputs-');
  await writeFile(join(dir, 'c.yaml'), 'services: {}\n');
  const unit = await loadUnit(dir, 't', 'x');
  const config = await loadConfig({ template: [`${unit.config.source}:out`], source: ['cat=file:c.yaml', 'reg=consul://127.0.0.1:8500'], once: false, dry: false, envAllow }, dir, { env: {} });
  const log = silentLog();
  const guards = new Guards(config.guards, log);
  const feed = new CatalogFeed({ screen: new CatalogScreen(new Set(), log), guards, dampedWaitMs: undefined, onChange: () => undefined });
  const reg = new FakeSource('reg');
  const sources = new Map([['cat', new FakeSource('cat')], ['reg', reg]]);
  const env = { REGION: 'eu', GITHUB_TOKEN: 'secret-value' };
  return { unit, config, feed, reg, inputs: renderInputs(config, feed, sources, env)(unit) };
}

describe('renderInputs', () => {
  it('makes the first configured source the default, and describes every source by its registry', async () => {
    const { inputs } = await setup();
    expect(inputs.defaultSource).toBe('cat');
    expect([...inputs.sources].map(([name, s]) => `${name} ${s.registry}`)).toEqual(['cat file', 'reg consul']);
  });

  it("reads the feed's latest data and guard state", async () => {
    const { inputs, feed } = await setup();
    expect(inputs.lookup(dependencyId(KEY))).toBeUndefined();
    feed.ingest(KEY, 'v');
    expect(inputs.lookup(dependencyId(KEY))).toBe('v');
    expect(inputs.guardStatus?.(dependencyId(KEY))).toBeUndefined();
  });

  it('says which sources are failing right now', async () => {
    const { inputs, reg } = await setup();
    expect(inputs.unavailable?.('reg')).toBe(false);
    reg.health.report('lost', CONNECTION, 'lost');
    expect(inputs.unavailable?.('reg')).toBe(true);
    expect(inputs.unavailable?.('nope')).toBe(false);
  });

  it("gives the template its own sandbox, and the environment without credentials unless allowed", async () => {
    const plain = await setup();
    expect(plain.inputs.sandbox).toBe(plain.unit.sandbox);
    expect(plain.inputs.env).toEqual({ REGION: 'eu' });
    const allowed = await setup(['GITHUB_TOKEN']);
    expect(allowed.inputs.env).toEqual({ GITHUB_TOKEN: 'secret-value' });
  });
});
