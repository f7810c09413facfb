import { describe, expect, it } from 'vitest';
import { makeInstance } from '../../../../src/catalog/instance.js';
import { InputError } from '../../../../src/errors.js';
import { MAX_CATALOG_BYTES, parseCatalog } from '../../../../src/registries/file/catalog.js';
import { inputErrorOf } from '../../../support/input-error.js';

const errorOf = (text: string): InputError => inputErrorOf(() => parseCatalog('catalog.yaml', text, 'file'));

describe('parseCatalog', () => {
  it('fills defaults: status passing, id address:port, node the address, datacenter dc1', () => {
    const catalog = parseCatalog('c.yaml', 'services:\n  web:\n    - { address: 10.0.0.1, port: 80 }\n', 'file');
    expect(catalog.services.get('web')).toEqual([
      makeInstance({ ID: '10.0.0.1:80', Name: 'web', Node: '10.0.0.1', Address: '10.0.0.1', Port: '80', Tags: [], Meta: {}, Status: 'passing', Datacenter: 'dc1', Source: 'file' }),
    ]);
  });

  it('gives numbers to templates as strings', () => {
    const catalog = parseCatalog('c.yaml', 'services:\n  web:\n    - { address: h1, port: 80, tags: [1], meta: { weight: 5 } }\nkv:\n  a: 512\n', 'file');
    const [inst] = catalog.services.get('web') ?? [];
    expect(inst?.Port).toBe('80');
    expect(inst?.Tags).toEqual(['1']);
    expect(inst?.Meta).toEqual({ weight: '5' });
    expect(catalog.kv.get('a')).toBe('512');
  });

  it('sorts instances by node, then id', () => {
    const text = `services:
  web:
    - { id: b, address: 10.0.0.2, port: 80, node: n2 }
    - { id: c, address: 10.0.0.3, port: 80, node: n1 }
    - { id: a, address: 10.0.0.1, port: 80, node: n2 }
`;
    expect(parseCatalog('c.yaml', text, 'file').services.get('web')?.map((i) => i.ID)).toEqual(['c', 'a', 'b']);
  });

  it('reads JSON as well as YAML', () => {
    const catalog = parseCatalog('c.json', '{"services":{"web":[{"address":"::1","port":8080}]}}', 'file');
    expect(catalog.services.get('web')?.[0]?.Address).toBe('::1');
  });

  it('freezes the data templates will see', () => {
    const catalog = parseCatalog('c.yaml', 'services:\n  web:\n    - { address: h1, port: 80 }\n', 'file');
    expect(Object.isFrozen(catalog.services.get('web')?.[0])).toBe(true);
  });

  it('points at line:column of a bad port', () => {
    const err = errorOf('services:\n  web:\n    - address: 10.0.0.1\n      port: 99999\n');
    expect(err.where).toBe('catalog.yaml:4:13');
    expect(err.message).toMatch(/services\.web\.0\.port/);
  });

  it('points at an unknown key and names it', () => {
    const err = errorOf('services:\n  web:\n    - { address: 10.0.0.1, port: 80, weight: 3 }\n');
    expect(err.message).toMatch(/unknown key "weight"/);
    expect(err.where).toMatch(/^catalog\.yaml:3:\d+$/);
  });

  it('reports YAML syntax errors with their position', () => {
    const err = errorOf('services:\n  web: [\n');
    expect(err.where).toMatch(/^catalog\.yaml:\d+:\d+$/);
  });

  it.each([
    ['an address with a newline', 'services:\n  web:\n    - { address: "10.0.0.1;\\nevil", port: 80 }\n', /IP address or a host name/, '3:18'],
    ['a dotted number that is no IPv4 address', 'services:\n  web:\n    - { address: 999.1.1.1, port: 80 }\n', /a dotted number must be a valid IPv4 address/, '3:18'],
    ['an IPv6 address with a zone index', 'services:\n  web:\n    - { address: "fe80::1%eth0", port: 80 }\n', /IP address or a host name/, '3:18'],
    ['a port above 65535', 'services:\n  web:\n    - { address: h, port: 65536 }\n', /port must be a whole number from 0 to 65535/, '3:27'],
    ['an unknown status', 'services:\n  web:\n    - { address: h, port: 80, status: up }\n', /status/, undefined],
    ['a service name with a newline', 'services:\n  "we\\nb":\n    - { address: h, port: 80 }\n', /service names must not be empty or hold a control character/, undefined],
    ['an empty service name', 'services:\n  "":\n    - { address: h, port: 80 }\n', /service names must not be empty/, undefined],
    ['an id with a tab', 'services:\n  web:\n    - { id: "a\\tb", address: h, port: 80 }\n', /id: must not be empty or hold a control character/, '3:13'],
    ['an empty node', 'services:\n  web:\n    - { node: "", address: h, port: 80 }\n', /node: must not be empty/, undefined],
    ['a tag with a C1 control character', 'services:\n  web:\n    - { address: h, port: 80, tags: [ok, "a\\u0085b"] }\n', /tags\.1: must not hold a control character/, undefined],
    ['a meta value with a newline', 'services:\n  web:\n    - { address: h, port: 80, meta: { note: "a\\nb" } }\n', /meta\.note: must not hold a control character/, undefined],
  ])('refuses the whole file for %s, naming file:line:col', (_what, text, message, where) => {
    const err = errorOf(text);
    expect(err.message).toMatch(message);
    expect(err.where).toMatch(/^catalog\.yaml:\d+:\d+$/);
    if (where !== undefined) expect(err.where).toBe(`catalog.yaml:${where}`);
  });

  it('reads names, ids, nodes, tags and meta as written: spaces, ";", "=", "/", backticks, unicode; port 0; multi-line kv values', () => {
    const text = `services:
  "a b/(c)":
    - id: "web;1"
      node: "n é"
      address: web-1.example.
      port: 0
      tags: ["urlprefix-/app strip=/app", "traefik.http.routers.app.rule=Host(\`app.example.com\`)"]
      meta: { "a b": "x=y (z)" }
kv:
  cert: "-----BEGIN-----\\nMIIB\\n-----END-----\\n"
`;
    const catalog = parseCatalog('c.yaml', text, 'file');
    expect(catalog.services.get('a b/(c)')).toEqual([
      makeInstance({
        ID: 'web;1',
        Name: 'a b/(c)',
        Node: 'n é',
        Address: 'web-1.example.',
        Port: '0',
        Tags: ['urlprefix-/app strip=/app', 'traefik.http.routers.app.rule=Host(`app.example.com`)'],
        Meta: { 'a b': 'x=y (z)' },
        Status: 'passing',
        Datacenter: 'dc1',
        Source: 'file',
      }),
    ]);
    expect(catalog.kv.get('cert')).toBe('-----BEGIN-----\nMIIB\n-----END-----\n');
  });

  it('writes ports in plain decimal, as registries give them', () => {
    const catalog = parseCatalog('c.yaml', 'services:\n  web:\n    - { address: h, port: "8080" }\n', 'file');
    expect(catalog.services.get('web')?.[0]?.Port).toBe('8080');
  });

  it('refuses a catalog larger than the limit before parsing it, and reads one just under it', () => {
    const entry = '  - { address: 10.0.0.1, port: 80 }\n';
    const head = 'services:\n  web:\n';
    const fill = (bytes: number): string => `${head}${'#'.repeat(bytes - head.length - entry.length - 1)}\n${entry}`;
    const err = errorOf(fill(MAX_CATALOG_BYTES + 1));
    expect(err.message).toMatch(/more than the 64 MiB ctmpl reads/);
    expect(err.where).toBe('catalog.yaml');
    expect(parseCatalog('catalog.yaml', fill(MAX_CATALOG_BYTES), 'file').services.get('web')).toHaveLength(1);
  });

  it('refuses two instances with one id, pointing at the second', () => {
    const err = errorOf('services:\n  web:\n    - { address: h, port: 80 }\n    - { address: h, port: 80 }\n');
    expect(err.message).toMatch(/"h:80" appears twice/);
    expect(err.where).toBe('catalog.yaml:4:7');
  });
});
