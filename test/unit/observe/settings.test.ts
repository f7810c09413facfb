import { describe, expect, it } from 'vitest';
import { loggingFrom, observeFrom } from '../../../src/observe/settings.js';
import { blockContext, configPath } from '../../support/block-context.js';
import { inputErrorOf } from '../../support/input-error.js';

describe('observeFrom', () => {
  it('serves nothing by default, and judges a source unhealthy after 60 s of failing', () => {
    expect(observeFrom(blockContext().ctx)).toMatchObject({ listen: undefined, healthFailingAfterMs: 60_000 });
  });

  it('takes the config file, with flags winning', () => {
    const file = 'listen: 0.0.0.0:9123\nhealth_failing_after: 2m\n';
    expect(observeFrom(blockContext({ file }).ctx)).toMatchObject({ listen: { host: '0.0.0.0', port: 9123 }, healthFailingAfterMs: 120_000 });
    expect(observeFrom(blockContext({ file, flags: { listen: '9000', healthFailingAfter: '10s' } }).ctx)).toMatchObject({ listen: { host: '127.0.0.1', port: 9000 }, healthFailingAfterMs: 10_000 });
  });

  it('places a bad listen address at its key', () => {
    expect(inputErrorOf(() => observeFrom(blockContext({ file: 'listen: "127.0.0.1:99999"\n' }).ctx)).describe()).toMatch(new RegExp(`^${configPath()}:1:\\d+: listen: "127.0.0.1:99999" is not host:port`));
  });
});

describe('loggingFrom', () => {
  it('logs at info by default, in the format the terminal suggests; flags win over the file', () => {
    expect(loggingFrom(blockContext().ctx)).toEqual({ logLevel: 'info', logFormat: undefined });
    expect(loggingFrom(blockContext({ file: 'log_level: debug\nlog_format: json\n' }).ctx)).toEqual({ logLevel: 'debug', logFormat: 'json' });
    expect(loggingFrom(blockContext({ file: 'log_level: debug\nlog_format: json\n', flags: { logLevel: 'warn', logFormat: 'pretty' } }).ctx)).toEqual({ logLevel: 'warn', logFormat: 'pretty' });
  });
});
