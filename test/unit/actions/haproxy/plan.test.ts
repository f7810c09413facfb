import { describe, expect, it } from 'vitest';
import { describeCommand } from '../../../../src/actions/haproxy/commands.js';
import { parseConfig } from '../../../../src/actions/haproxy/config.js';
import { capabilitiesOf, planChanges, type Plan } from '../../../../src/actions/haproxy/plan.js';
import { ADMIN, type ServerState } from '../../../../src/actions/haproxy/state.js';

const V26 = capabilitiesOf({ major: 2, minor: 6 });
const V24 = capabilitiesOf({ major: 2, minor: 4 });
const V22 = capabilitiesOf({ major: 2, minor: 2 });

let nextId = 1;
/** A running server as `show servers state` gives it: ready, weight 1, unless told otherwise. */
function running(name: string, endpoint: string, fields: Partial<ServerState> = {}): ServerState {
  const [address = '', port = ''] = endpoint.split(/:(?=\d+$)/);
  return { backendId: 3, backend: 'web', id: nextId++, name, address, port, operational: 2, admin: 0, weight: 1, initialWeight: 1, sinceChange: 10, fqdn: undefined, ...fields };
}

const file = (servers: string, extra = ''): string => `backend web\n    balance roundrobin\n${extra}${servers}`;

/** The plan as lines: `web/a: add …` in the order they would be sent, then the removals. */
function lines(plan: Plan): string[] {
  if (plan.kind === 'reload') throw new Error(`expected a plan, got reload: ${plan.reason}`);
  return [...plan.bringUp, ...plan.takeDown].map((s) => describeCommand(s.command)).concat(plan.removals.map((r) => `${r.backend}/${r.server}: when idle, ${r.inMaint ? '' : 'maint, '}${r.remove ? 'delete' : 'keep'}`));
}

const plan = (text: string, servers: ServerState[], caps = V26, backends = ['web']): Plan => planChanges(parseConfig(text), servers, new Set(backends), caps);

describe('planChanges', () => {
  it('is empty when haproxy runs what the file says', () => {
    const text = file('    server a 10.0.0.1:80 weight 2\n    server b 10.0.0.2:80 disabled\n');
    expect(lines(plan(text, [running('a', '10.0.0.1:80', { weight: 2 }), running('b', '10.0.0.2:80', { admin: ADMIN.forcedMaint | ADMIN.configMaint })]))).toEqual([]);
  });

  it('brings servers up before it takes any down: add, checks, ready, then set, then drain; removal when idle', () => {
    const text = file('    server a 10.0.0.9:80 weight 3\n    server c 10.0.0.3:80 check\n    server d 10.0.0.4:80 disabled\n');
    const now = [running('a', '10.0.0.1:80'), running('b', '10.0.0.2:80'), running('d', '10.0.0.4:80')];
    expect(lines(plan(text, now))).toEqual([
      'web/c: add 10.0.0.3:80 weight 1 check',
      'web/c: enable health checks',
      'web/c: state → ready',
      'web/a: address → 10.0.0.9:80',
      'web/a: weight → 3',
      'web/d: state → maint',
      'web/b: state → drain',
      'web/b: when idle, maint, delete',
    ]);
  });

  it('enables a server that is in maintenance or draining, and leaves an added disabled server in maintenance', () => {
    const text = file('    server a 10.0.0.1:80\n    server b 10.0.0.2:80\n    server n 10.0.0.3:80 disabled\n');
    const now = [running('a', '10.0.0.1:80', { admin: ADMIN.forcedMaint }), running('b', '10.0.0.2:80', { admin: ADMIN.forcedDrain })];
    expect(lines(plan(text, now))).toEqual(['web/n: add 10.0.0.3:80 weight 1', 'web/a: state → ready', 'web/b: state → ready']);
  });

  it('finishes removals left by an earlier pass without draining them again', () => {
    const now = [running('a', '10.0.0.1:80'), running('b', '10.0.0.2:80', { admin: ADMIN.forcedDrain }), running('c', '10.0.0.3:80', { admin: ADMIN.forcedMaint })];
    expect(lines(plan(file('    server a 10.0.0.1:80\n'), now))).toEqual(['web/b: when idle, maint, delete', 'web/c: when idle, delete']);
  });

  it('compares IPv6 addresses in canonical form', () => {
    expect(lines(plan(file('    server a [2001:db8:0:0::1]:80\n'), [running('a', '2001:db8::1:80')]))).toEqual([]);
  });

  it('never touches the address of a server written with a host name (the structure covers it)', () => {
    expect(lines(plan(file('    server a db.example:80 weight 2\n'), [running('a', '10.0.0.7:80')]))).toEqual(['web/a: weight → 2']);
  });

  it('leaves other backends of the running haproxy alone', () => {
    expect(lines(plan(file('    server a 10.0.0.1:80\n'), [running('a', '10.0.0.1:80'), running('x', '10.0.0.5:80', { backend: 'other' })], V26, ['web', 'other']))).toEqual([]);
  });

  it.each([
    ['a new server in a static-rr backend', file('    server a 10.0.0.1:80\n', '    balance static-rr\n'), [], V26, /static balance algorithm/],
    ['a weight change with map-based hashing', `backend web\n    balance source\n    server a 10.0.0.1:80 weight 2\n`, [running('a', '10.0.0.1:80')], V26, /static balance algorithm/],
    ['a new server where default-server applies', file('    server a 10.0.0.1:80\n', '    default-server check inter 2s\n'), [], V26, /default-server/],
    ['a new server with a host name', file('    server a db.example:80\n'), [], V26, /not IP:PORT/],
    ['a new server with a quoted option', file(`    server a 10.0.0.1:80 sni 'req.hdr(host)'\n`), [], V26, /quoted/],
    ['a new server with "check" on haproxy 2.4', file('    server a 10.0.0.1:80 check\n'), [], V24, /from haproxy 2.5/],
    ['a new server on haproxy 2.2 without slots', file('    server a 10.0.0.1:80\n'), [], V22, /no "add server"/],
    ['a name haproxy cannot take', file('    server a@b 10.0.0.1:80\n'), [], V26, /\[A-Za-z0-9_.:-\]/],
  ])('asks for a reload for %s', (_name, text, now, caps, reason) => {
    const result = plan(text, now as ServerState[], caps);
    expect(result.kind).toBe('reload');
    expect(result.kind === 'reload' && result.reason).toMatch(reason);
  });

  it('asks for a reload for a backend haproxy does not run', () => {
    const result = plan(file('    server a 10.0.0.1:80\n'), [], V26, []);
    expect(result.kind === 'reload' && result.reason).toMatch(/backend web is in the file but not in the running haproxy/);
  });

  describe('server-template slots (haproxy < 2.4, or by choice)', () => {
    const slotsFile = (servers: string): string => file(servers, '    server-template spare 3 127.0.0.1:9 disabled check\n');
    const free = (n: number): ServerState => running(`spare${n}`, '127.0.0.1:9', { admin: ADMIN.forcedMaint | ADMIN.configMaint });

    it('puts new servers in free slots: address, weight, then ready', () => {
      expect(lines(plan(slotsFile('    server x 10.0.0.1:80 weight 2 check\n'), [free(1), free(2), free(3)], V22))).toEqual([
        'web/spare1: address → 10.0.0.1:80',
        'web/spare1: weight → 2',
        'web/spare1: state → ready',
      ]);
    });

    it('keeps a slot that already serves a server of the file, and frees the slots no server uses', () => {
      const now = [running('spare1', '10.0.0.2:80'), running('spare2', '10.0.0.1:80'), free(3)];
      expect(lines(plan(slotsFile('    server x 10.0.0.1:80 check\n'), now, V22))).toEqual(['web/spare1: state → drain', 'web/spare1: when idle, maint, keep']);
    });

    it('takes slots before "add server" where both exist', () => {
      expect(lines(plan(slotsFile('    server x 10.0.0.1:80 check\n'), [free(1)], V26))[0]).toBe('web/spare1: address → 10.0.0.1:80');
    });

    it('asks for a reload when the slots run out (before 2.4)', () => {
      const result = plan(slotsFile('    server x 10.0.0.1:80 check\n    server y 10.0.0.2:80 check\n'), [free(1)], V22);
      expect(result.kind === 'reload' && result.reason).toMatch(/no free server-template slot/);
    });

    it('does not put a server in a slot with other options', () => {
      const result = plan(slotsFile('    server x 10.0.0.1:80 check inter 1s\n'), [free(1)], V22);
      expect(result.kind === 'reload' && result.reason).toMatch(/no free server-template slot/);
    });

    it('before 2.4, a server gone from the file ends in maintenance (no del server)', () => {
      expect(lines(plan(slotsFile(''), [running('old', '10.0.0.9:80'), free(1)], V22))).toEqual(['web/old: state → drain', 'web/old: when idle, maint, keep']);
    });
  });
});
