import { describe, expect, it } from 'vitest';
import { parseConfig, slotNames, structuralChange } from '../../../../src/actions/haproxy/config.js';
import { splitWords } from '../../../../src/actions/haproxy/tokens.js';

const HEAD = `global
    stats socket /run/haproxy/admin.sock level admin
defaults
    mode http
    timeout connect 5s
frontend http_in
    bind :80
    default_backend web
`;

const web = (servers: string, extra = ''): string => `${HEAD}backend web\n    balance roundrobin\n${extra}${servers}`;

describe('splitWords (haproxy line syntax)', () => {
  it('splits on blanks, drops comments, and reads quotes and escapes as haproxy does', () => {
    const words = splitWords(`  server a 10.0.0.1:80 'x y' "a\\"b" c\\ d # comment`);
    expect(words.map((w) => w.text)).toEqual(['server', 'a', '10.0.0.1:80', 'x y', 'a"b', 'c d']);
    expect(words.map((w) => w.plain)).toEqual([true, true, true, false, false, false]);
  });

  it('keeps # inside quotes and marks variables as not plain', () => {
    const words = splitWords(`description '# not a comment' "\${HOST}" $PORT`);
    expect(words.map((w) => w.text)).toEqual(['description', '# not a comment', '${HOST}', '$PORT']);
    expect(words.map((w) => w.plain)).toEqual([true, false, false, false]);
  });
});

describe('parseConfig', () => {
  it('finds each backend and listen section with its servers, weights, states and options', () => {
    const config = parseConfig(`${web('    server a 10.0.0.1:80 check weight 5\n    server b [2001:db8::0:1]:8080 disabled backup\n    server c db.local:5432 check\n')}listen stats\n    bind :9000\n    server s 127.0.0.1:9001\n`);
    expect([...config.proxies.keys()]).toEqual(['web', 'stats']);
    const [a, b, c] = config.proxies.get('web')?.servers ?? [];
    expect(a).toMatchObject({ name: 'a', endpoint: { address: '10.0.0.1', port: '80' }, weight: 5, disabled: false });
    expect(a?.options.map((w) => w.text)).toEqual(['check']);
    expect(b).toMatchObject({ name: 'b', endpoint: { address: '2001:db8::1', port: '8080' }, weight: 1, disabled: true });
    expect(b?.options.map((w) => w.text)).toEqual(['backup']);
    expect(c).toMatchObject({ name: 'c', endpoint: undefined, addressWord: 'db.local:5432' });
    expect(config.proxies.get('stats')?.kind).toBe('listen');
  });

  it('reads server-template slots like server lines', () => {
    const config = parseConfig(web('', '    server-template spare 3-5 127.0.0.1:9 disabled check\n'));
    const [template] = config.proxies.get('web')?.templates ?? [];
    expect(template).toMatchObject({ prefix: 'spare', first: 3, last: 5 });
    expect(template?.options.map((w) => w.text)).toEqual(['check']);
    expect(template && slotNames(template)).toEqual(['spare3', 'spare4', 'spare5']);
  });

  it.each([
    ['roundrobin (the default)', '', true],
    ['leastconn', '    balance leastconn\n', true],
    ['static-rr', '    balance static-rr\n', false],
    ['source with map-based hashing', '    balance source\n', false],
    ['source with consistent hashing', '    balance source\n    hash-type consistent\n', true],
  ])('tells whether the balance algorithm takes runtime weights and servers: %s', (_name, lines, dynamic) => {
    const config = parseConfig(`${HEAD}backend web\n${lines}    server a 10.0.0.1:80\n`);
    expect(config.proxies.get('web')?.dynamicBalance).toBe(dynamic);
  });

  it('inherits balance and default-server from the last defaults section, or the one named by "from"', () => {
    const config = parseConfig(`defaults plain\n    mode http\ndefaults hashed\n    balance source\n    default-server check\nbackend a\n    server x 10.0.0.1:80\nbackend b from plain\n    server x 10.0.0.1:80\n`);
    expect(config.proxies.get('a')).toMatchObject({ dynamicBalance: false, defaultServer: true });
    expect(config.proxies.get('b')).toMatchObject({ dynamicBalance: true, defaultServer: false });
  });
});

describe('structuralChange', () => {
  const before = web('    server a 10.0.0.1:80 check\n    server b 10.0.0.2:80 check\n');

  it.each([
    ['a server added', web('    server a 10.0.0.1:80 check\n    server b 10.0.0.2:80 check\n    server c 10.0.0.3:80 check\n')],
    ['a server removed', web('    server a 10.0.0.1:80 check\n')],
    ['an address, port and weight changed', web('    server a 10.0.0.9:8080 check weight 7\n    server b 10.0.0.2:80 check\n')],
    ['a server disabled', web('    server a 10.0.0.1:80 check disabled\n    server b 10.0.0.2:80 check\n')],
    ['comments and blanks', `# rendered\n${web('    server a 10.0.0.1:80   check # first\n\n    server b 10.0.0.2:80 check\n')}`],
  ])('is none for %s', (_name, after) => {
    expect(structuralChange(parseConfig(before), parseConfig(after))).toBeUndefined();
  });

  it.each([
    ['a line outside servers', web('    server a 10.0.0.1:80 check\n', '    option httpchk\n'), /outside server lines.*backend web/],
    ['a new backend', `${before}backend api\n    server x 10.0.0.5:80\n`, /outside server lines.*backend api/],
    ['a frontend line', before.replace('bind :80', 'bind :81'), /frontend http_in/],
    ['a server option', web('    server a 10.0.0.1:80 check inter 2s\n    server b 10.0.0.2:80 check\n'), /web\/a changed more than/],
    ['a host name address', web('    server a one.example:80 check\n    server b 10.0.0.2:80 check\n'), /web\/a changed more than/],
    ['a server declared twice', web('    server a 10.0.0.1:80 check\n    server a 10.0.0.2:80 check\n'), /declared twice/],
    ['the server-template line', web('    server a 10.0.0.1:80 check\n', '    server-template s 5 127.0.0.1:9 disabled\n'), /outside server lines/],
  ])('names %s', (_name, after, reason) => {
    expect(structuralChange(parseConfig(before), parseConfig(after))).toMatch(reason);
  });

  it('sees a change between two host-name addresses (only a reload resolves names)', () => {
    const a = web('    server a one.example:80\n');
    const b = web('    server a two.example:80\n');
    expect(structuralChange(parseConfig(a), parseConfig(b))).toMatch(/web\/a/);
  });
});
