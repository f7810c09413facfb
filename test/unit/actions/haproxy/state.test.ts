import { describe, expect, it } from 'vitest';
import { ADMIN, parseBackends, parseInfo, parseServersState, parseStatLoad, StateFormatError } from '../../../../src/actions/haproxy/state.js';

/** `show servers state` as haproxy 2.6.12 printed it (a static, a disabled, an IPv6 and a host-name server). */
const SERVERS_STATE = `1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
3 web 1 a 127.0.0.1 2 0 5 5 12 1 0 2 0 0 0 0 - 9001 - 0 0 - - 0
3 web 2 b 127.0.0.1 0 5 1 1 1 1 0 0 8 0 0 0 - 9002 - 0 0 - - 0
3 web 10 n5 ::1 0 1 1 1 8 1 0 0 0 0 0 0 - 9005 - 0 0 - - 0
3 web 11 n6 - 0 1 1 1 8 1 0 0 0 0 0 0 localhost 9005 - 0 0 - - 0
4 api 1 c 127.0.0.1 2 0 1 1 141 1 0 2 0 0 0 0 - 9003 - 0 0 - - 0

`;

describe('parseServersState', () => {
  it('reads every server by the header line’s field names', () => {
    const servers = parseServersState(SERVERS_STATE);
    expect(servers.map((s) => `${s.backend}/${s.name}`)).toEqual(['web/a', 'web/b', 'web/n5', 'web/n6', 'api/c']);
    expect(servers[0]).toMatchObject({ backendId: 3, id: 1, address: '127.0.0.1', port: '9001', operational: 2, admin: 0, weight: 5, initialWeight: 5, sinceChange: 12, fqdn: undefined });
    expect(servers[1]?.admin).toBe(ADMIN.forcedMaint | ADMIN.configMaint);
    expect(servers[2]?.address).toBe('::1');
    expect(servers[3]).toMatchObject({ address: '', fqdn: 'localhost' });
  });

  it('follows the header when fields move or are added (newer haproxy versions)', () => {
    const text = '1\n# be_name be_id srv_name srv_id srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_port extra\nweb 3 a 1 10.0.0.1 2 8 4 1 3 80 x\n';
    expect(parseServersState(text)[0]).toMatchObject({ backend: 'web', name: 'a', address: '10.0.0.1', admin: ADMIN.forcedDrain, weight: 4, port: '80' });
  });

  it('is empty for an empty answer (no server anywhere)', () => {
    expect(parseServersState('1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_port\n\n')).toEqual([]);
    expect(parseServersState('')).toEqual([]);
  });

  it.each([
    ['another format version', '2\n# be_id\n', /version "2"/],
    ['a missing field', '1\n# be_id be_name srv_name\n', /no field srv_id/],
    ['a short line', `1\n# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_port\n3 web 1\n`, /has 3 fields/],
    ['an error message instead', 'Permission denied\n', /version "Permission denied"/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseServersState(text)).toThrow(StateFormatError);
    expect(() => parseServersState(text)).toThrow(message);
  });
});

describe('the other readers', () => {
  it('parseStatLoad: sessions and queue per server, frontends and backends left out', () => {
    const text = '# pxname,svname,qcur,qmax,scur,smax,slim,stot\nweb,FRONTEND,,,3,5,,9\nweb,a,0,0,2,4,,9\nweb,b,1,1,0,1,,1\nweb,BACKEND,1,1,2,5,,10\n\n';
    expect([...parseStatLoad(text)]).toEqual([
      ['web/a', { sessions: 2, queued: 0 }],
      ['web/b', { sessions: 0, queued: 1 }],
    ]);
  });

  it('parseBackends: the names of show backend', () => {
    expect(parseBackends('# name\nweb\napi\n\n')).toEqual(new Set(['web', 'api']));
  });

  it('parseInfo: version and worker PID', () => {
    expect(parseInfo('Name: HAProxy\nVersion: 2.6.12-1+deb12u4\nRelease_date: 2026/10/17\nNbthread: 2\nPid: 16974\n')).toEqual({ version: '2.6.12-1+deb12u4', major: 2, minor: 6, pid: 16974 });
    expect(() => parseInfo('Unknown command\n')).toThrow(StateFormatError);
  });
});
