import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellQuote, withStagedPath } from '../../../src/actions/shell.js';

/** The words /bin/sh makes of a command line. */
const words = (line: string): string[] => execFileSync('/bin/sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' }).split('\0').slice(0, -1);

describe('shellQuote', () => {
  it.each(['plain', 'two words', "it's", '$(id) `id` $HOME', '"double"', 'a\\b', '', '*', 'line\nbreak'])('makes %j one word for /bin/sh', (value) => {
    expect(words(shellQuote(value))).toEqual([value]);
  });
});

describe('withStagedPath', () => {
  it('puts the staged path, quoted, wherever {{staged}} stands, spaces inside the braces allowed', () => {
    expect(withStagedPath('nginx -t -c {{staged}} && cp {{ staged }} /tmp', '/etc/nginx/.up.conf.ctmpl-1')).toBe("nginx -t -c '/etc/nginx/.up.conf.ctmpl-1' && cp '/etc/nginx/.up.conf.ctmpl-1' /tmp");
  });

  it('keeps a path with spaces or quotes harmless', () => {
    const command = withStagedPath('printf "%s\\0" {{staged}}', "/tmp/my dir/it's.conf");
    expect(execFileSync('/bin/sh', ['-c', command], { encoding: 'utf8' })).toBe("/tmp/my dir/it's.conf\0");
  });

  it('leaves a command without the placeholder as it is', () => {
    expect(withStagedPath('haproxy -c -f /etc/haproxy/haproxy.cfg', '/x')).toBe('haproxy -c -f /etc/haproxy/haproxy.cfg');
  });
});
