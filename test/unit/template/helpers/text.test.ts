import { describe, expect, it } from 'vitest';
import { render } from '../fixtures.js';

const CATALOG = `
services:
  web:
    - { id: a, address: 10.0.0.1, port: 80, tags: [blue, green], node: n1 }
    - { id: b, address: "2001:db8::1", port: 81, tags: [green], node: n2 }
`;

describe('text and comparison helpers', () => {
  it.each([
    ['{{join (services) ","}}', 'join: expected'],
  ])('errors clearly on misuse: %s', (template, message) => {
    expect(() => render(template, CATALOG)).toThrow(message);
  });

  it.each([
    ['{{toUpper "abc"}}', 'ABC'],
    ['{{toLower "AbC"}}', 'abc'],
    ['{{#if (contains (lookup (service "web") 0) "x")}}y{{else}}n{{/if}}', 'n'],
    ['{{#each (service "web")}}{{#if (contains Tags "blue")}}{{ID}}{{/if}}{{/each}}', 'a'],
    ['{{#if (contains "nginx-prod" "prod")}}y{{/if}}', 'y'],
    ['{{default "" "fallback"}}|{{default "set" "fallback"}}', 'fallback|set'],
    ['{{#if (eq 80 "80")}}y{{/if}}{{#if (ne "a" "b")}}z{{/if}}', 'yz'],
    ['{{#if (gt "10" "9")}}numeric{{/if}}{{#if (lt "b" "a")}}x{{else}}text{{/if}}', 'numerictext'],
    ['{{add 1 "2" 3.5}}', '6.5'],
    ['{{add 1 2}}{{add 3 4}}', '37'],
    ['{{len (service "web")}}{{len "abc"}}', '23'],
    ['{{toJSON (lookup (service "web") 0)}}', '{"ID":"a","Name":"web","Node":"n1","NodeID":"","NodeAddress":"10.0.0.1","NodeDatacenter":"dc1","NodeMeta":{},"NodeTaggedAddresses":{},"Address":"10.0.0.1","Port":"80","Tags":["blue","green"],"Meta":{},"ServiceMeta":{},"TaggedAddresses":{},"ServiceTaggedAddresses":{},"Weights":{"Passing":"1","Warning":"1"},"Checks":[],"Status":"passing","Datacenter":"dc1","Source":"file"}'],
    ['{{#each (service "web")}}{{hostPort Address Port}} {{/each}}', '10.0.0.1:80 [2001:db8::1]:81 '],
    ['{{#each (byTag (service "web"))}}{{@key}}={{#each this}}{{ID}}{{/each}};{{/each}}', 'blue=a;green=ab;'],
  ])('%s → %s', (template, expected) => {
    expect(render(template, CATALOG)).toBe(expected);
  });

  it('refuses to add something that is not a number', () => {
    expect(() => render('{{add 1 "x"}}')).toThrow('add: "x" is not a number');
  });
});
