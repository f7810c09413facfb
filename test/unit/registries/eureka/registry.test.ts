import { describe, expect, it } from 'vitest';
import { EurekaRegistry } from '../../../../src/registries/eureka/registry.js';
import { parseApplications } from '../../../../src/registries/eureka/wire.js';
import { applicationsJson, instanceJson } from '../../../support/eureka/fake.js';

type Json = Record<string, unknown>;
const web = (id: string, ip: string, extra: Json = {}): Json => instanceJson('WEB', id, ip, 8080, extra);
const api = (id: string, ip: string, extra: Json = {}): Json => instanceJson('API', id, ip, 9090, extra);
const full = (apps: Record<string, Json[]>) => parseApplications(applicationsJson(apps));
const delta = (apps: Record<string, Json[]>, hashcode?: string) => parseApplications(applicationsJson(apps, hashcode));
const ids = (registry: EurekaRegistry, name: string) => registry.instancesOf(name, 'app').map((i) => `${i.ID}@${i.Address}:${i.Status}`);

describe('Eureka registry copy', () => {
  it('answers applications from a full fetch, matching names without regard to case as Eureka does', () => {
    const registry = new EurekaRegistry('eu');
    expect(registry.replace(full({ WEB: [web('w1', '10.0.0.1'), web('w2', '10.0.0.2')], API: [api('a1', '10.0.1.1')] }))).toBe(true);
    expect(ids(registry, 'web')).toEqual(['w1@10.0.0.1:passing', 'w2@10.0.0.2:passing']);
    expect(ids(registry, 'Web')).toEqual(ids(registry, 'WEB'));
    expect(ids(registry, 'nope')).toEqual([]);
    expect([...registry.services('app').keys()].sort()).toEqual(['API', 'WEB']);
    expect(registry.size).toBe(3);
  });

  it('reports no change for a full fetch equal to what it holds, and a change for any difference', () => {
    const registry = new EurekaRegistry('eu');
    registry.replace(full({ WEB: [web('w1', '10.0.0.1')] }));
    expect(registry.replace(full({ WEB: [web('w1', '10.0.0.1')] }))).toBe(false);
    expect(registry.replace(full({ WEB: [web('w1', '10.0.0.1', { metadata: { tags: 'v2' } })] }))).toBe(true);
    expect(registry.replace(full({ WEB: [web('w1', '10.0.0.1', { metadata: { tags: 'v2' } })], API: [] }))).toBe(false);
    expect(registry.replace(full({}))).toBe(true);
    expect(registry.size).toBe(0);
  });

  it('applies ADDED, MODIFIED and DELETED; an application left without instances is gone', () => {
    const registry = new EurekaRegistry('eu');
    registry.replace(full({ WEB: [web('w1', '10.0.0.1'), web('w2', '10.0.0.2')], API: [api('a1', '10.0.1.1')] }));
    const changed = registry.applyDelta(
      delta({
        WEB: [web('w3', '10.0.0.3', { actionType: 'ADDED' }), web('w1', '10.0.0.1', { status: 'OUT_OF_SERVICE', actionType: 'MODIFIED' }), web('w2', '10.0.0.2', { actionType: 'DELETED' })],
        API: [api('a1', '10.0.1.1', { actionType: 'DELETED' })],
        NEW: [instanceJson('NEW', 'n1', '10.0.2.1', 80, { actionType: 'MODIFIED' })],
      }),
    );
    expect(changed).toBe(true);
    expect(ids(registry, 'web')).toEqual(['w1@10.0.0.1:warning', 'w3@10.0.0.3:passing']);
    expect(ids(registry, 'api')).toEqual([]);
    expect([...registry.services('app').keys()].sort()).toEqual(['NEW', 'WEB']);
  });

  it('reports no change for a delta repeating what it already holds (Eureka repeats the last minutes of changes)', () => {
    const registry = new EurekaRegistry('eu');
    registry.replace(full({ WEB: [web('w1', '10.0.0.1')] }));
    const repeat = delta({ WEB: [web('w1', '10.0.0.1', { actionType: 'ADDED' })], GONE: [instanceJson('GONE', 'g1', '10.0.9.9', 80, { actionType: 'DELETED' })] });
    expect(registry.applyDelta(repeat)).toBe(false);
    expect(registry.applyDelta(delta({ WEB: [web('w1', '10.0.0.1', { actionType: 'SOMETHING' })] }))).toBe(false);
  });

  it('computes Eureka\'s reconcile hashcode: STATUS_COUNT_ for each status, in the order of the names', () => {
    const registry = new EurekaRegistry('eu');
    expect(registry.hashcode()).toBe('');
    registry.replace(
      full({
        WEB: [web('w1', '10.0.0.1'), web('w2', '10.0.0.2', { status: 'OUT_OF_SERVICE' }), web('w3', '10.0.0.3', { status: 'DOWN' })],
        API: [api('a1', '10.0.1.1', { status: 'STARTING' }), api('a2', '10.0.1.2'), api('a3', '10.0.1.3', { status: 'whatever' })],
      }),
    );
    expect(registry.hashcode()).toBe('DOWN_1_OUT_OF_SERVICE_1_STARTING_1_UNKNOWN_1_UP_2_');
    registry.applyDelta(delta({ WEB: [web('w3', '10.0.0.3', { actionType: 'DELETED' }), web('w4', '10.0.0.4', { actionType: 'ADDED' })] }));
    expect(registry.hashcode()).toBe('OUT_OF_SERVICE_1_STARTING_1_UNKNOWN_1_UP_3_');
  });

  it('counts instances ctmpl cannot render in the hashcode too (Eureka holds them)', () => {
    const registry = new EurekaRegistry('eu');
    registry.replace(full({ WEB: [web('w1', '10.0.0.1', { port: { $: 0, '@enabled': 'false' }, ipAddr: 'not an address!' })] }));
    expect(registry.hashcode()).toBe('UP_1_');
  });

  it('groups instances by VIP address with names=vip (a comma-separated list, any case, across applications)', () => {
    const registry = new EurekaRegistry('eu');
    registry.replace(
      full({
        WEB: [web('w1', '10.0.0.1', { vipAddress: 'web,Front', secureVipAddress: 'web-s' }), web('w2', '10.0.0.2', { vipAddress: 'web' })],
        API: [api('a1', '10.0.1.1', { vipAddress: 'front' })],
      }),
    );
    expect(registry.instancesOf('FRONT', 'vip').map((i) => `${i.Name}/${i.ID}`).sort()).toEqual(['API/a1', 'WEB/w1']);
    expect(registry.instancesOf('web', 'vip').map((i) => i.ID)).toEqual(['w1', 'w2']);
    expect(registry.instancesOf('web-s', 'secure_vip').map((i) => i.ID)).toEqual(['w1']);
    // One spelling per VIP address (the first in code-unit order), whatever order the server used.
    expect([...registry.services('vip').keys()].sort()).toEqual(['Front', 'web']);
    registry.applyDelta(delta({ API: [api('a1', '10.0.1.1', { vipAddress: 'other', actionType: 'MODIFIED' })] }));
    expect(registry.instancesOf('front', 'vip').map((i) => i.ID)).toEqual(['w1']);
  });
});
