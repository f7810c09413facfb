import { describe, expect, it } from 'vitest';
import { WaitingReporter } from '../../../src/pipeline/waiting.js';
import { FakeClock } from '../../support/fake-clock.js';
import { captureLog } from '../../support/log-capture.js';
import { tempDir } from '../../support/tmp.js';
import { loadUnit } from '../../support/units.js';
import { inputs } from '../template/fixtures.js';

const TWO = '{{#each (service "web")}}{{Address}}{{/each}}{{key "app/x"}}';

/** A unit that has rendered once, with no data: it waits for both its dependencies. */
async function waitingUnit(name = 't') {
  const unit = await loadUnit(await tempDir('ctmpl-waiting-'), name, TWO);
  unit.render(inputs());
  const [web, key] = [...unit.deps.keys()] as [string, string];
  return { unit, web, key };
}

function setup(hasData: (id: string) => boolean = () => false) {
  const clock = new FakeClock();
  const capture = captureLog();
  const reporter = new WaitingReporter(capture.log, clock, 30_000, hasData);
  return { clock, reporter, ...capture };
}

describe('WaitingReporter', () => {
  it('says once, in words, what a template waits for', async () => {
    const { reporter, at } = setup();
    const { unit } = await waitingUnit();
    reporter.report([unit]);
    reporter.report([unit]);
    expect(at('info').map((l) => l.msg)).toEqual(['waiting for service web (file), key app/x (file)']);
    expect(at('info')[0]).toMatchObject({ destination: unit.name, waitingFor: ['service web (file)', 'key app/x (file)'] });
  });

  it('says nothing about a template that has rendered', async () => {
    const { reporter, entries } = setup();
    const { unit, web, key } = await waitingUnit();
    unit.render(inputs(new Map<string, unknown>([[web, []], [key, 'v']])));
    reporter.report([unit]);
    expect(entries).toEqual([]);
  });

  it('warns after a while, naming the dependencies that still have no data', async () => {
    const { clock, reporter, at } = setup((id) => id.includes('service'));
    const { unit, key } = await waitingUnit();
    reporter.report([unit]);
    await clock.advance(29_999);
    expect(at('warn')).toEqual([]);
    await clock.advance(1);
    expect(at('warn')).toHaveLength(1);
    expect(at('warn')[0]).toMatchObject({ missing: [key], msg: `still waiting after 30 s: no data yet for ${key}` });
  });

  it('does not warn about a template that rendered meanwhile, nor after it is stopped', async () => {
    const { clock, reporter, at } = setup();
    const rendered = await waitingUnit('rendered');
    const stopped = await waitingUnit('stopped');
    reporter.report([rendered.unit]);
    rendered.unit.render(inputs(new Map<string, unknown>([[rendered.web, []], [rendered.key, 'v']])));
    await clock.advance(30_000);
    expect(at('warn')).toEqual([]);
    reporter.report([stopped.unit]);
    reporter.stop();
    await clock.advance(30_000);
    expect(at('warn')).toEqual([]);
    expect(clock.pending).toBe(0);
  });
});
