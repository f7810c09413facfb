import { canonicalAddress } from '../../util/address.js';

/**
 * Readers for what the Runtime API says about the running haproxy: `show servers state`
 * (format version 1, whose `#` header line names the fields), `show stat` (CSV), `show backend`
 * and `show info`.
 */

/** srv_admin_state bits (haproxy's enum srv_admin). */
export const ADMIN = {
  /** Forced into maintenance (`set server … state maint`, or `disabled` in the file). */
  forcedMaint: 0x01,
  /** Inherited maintenance from a tracked server. */
  inheritedMaint: 0x02,
  /** `disabled` in the configuration; a flag only, maintenance is forcedMaint. */
  configMaint: 0x04,
  forcedDrain: 0x08,
  inheritedDrain: 0x10,
  /** Down because its host name did not resolve. */
  resolutionMaint: 0x20,
} as const;

export interface ServerState {
  readonly backendId: number;
  readonly backend: string;
  readonly id: number;
  readonly name: string;
  /** Canonical IP text, or '' when the server has none yet (an unresolved host name). */
  readonly address: string;
  readonly port: string;
  /** 0 stopped, 1 starting, 2 running, 3 stopping. */
  readonly operational: number;
  readonly admin: number;
  /** The weight in force (srv_uweight) and the one from the configuration (srv_iweight). */
  readonly weight: number;
  readonly initialWeight: number;
  /** Seconds since the last state change. */
  readonly sinceChange: number;
  readonly fqdn: string | undefined;
}

export class StateFormatError extends Error {
  override readonly name = 'StateFormatError';
}

/** The first blank-separated line of `text` that starts with `# `, as field names. */
function header(lines: readonly string[], what: string): string[] {
  const line = lines.find((l) => l.startsWith('# '));
  if (line === undefined) throw new StateFormatError(`${what}: no "# field…" header line`);
  return line.slice(2).trim().split(/[ ,]+/);
}

/** Parses `show servers state [BACKEND]`. Only format version 1 is known (haproxy 1.6–3.x). */
export function parseServersState(text: string): ServerState[] {
  const lines = text.split('\n').map((l) => l.trim());
  const version = lines.find((l) => l !== '');
  if (version === undefined) return [];
  if (version !== '1') throw new StateFormatError(`show servers state: format version "${version.slice(0, 40)}" is not 1`);
  const fields = header(lines, 'show servers state');
  const index = (name: string): number => {
    const i = fields.indexOf(name);
    if (i < 0) throw new StateFormatError(`show servers state: no field ${name} in the header`);
    return i;
  };
  const at = {
    beId: index('be_id'), beName: index('be_name'), id: index('srv_id'), name: index('srv_name'), addr: index('srv_addr'),
    op: index('srv_op_state'), admin: index('srv_admin_state'), uweight: index('srv_uweight'), iweight: index('srv_iweight'),
    since: index('srv_time_since_last_change'), port: index('srv_port'), fqdn: fields.indexOf('srv_fqdn'),
  };
  const servers: ServerState[] = [];
  for (const line of lines) {
    if (line === '' || line === '1' || line.startsWith('#')) continue;
    const v = line.split(/\s+/);
    if (v.length < fields.length) throw new StateFormatError(`show servers state: a line has ${v.length} fields, the header ${fields.length}`);
    const num = (i: number): number => {
      const n = Number(v[i]);
      if (!Number.isFinite(n)) throw new StateFormatError(`show servers state: field ${fields[i]} is "${String(v[i]).slice(0, 40)}", not a number`);
      return n;
    };
    const addr = v[at.addr] as string;
    const fqdn = at.fqdn < 0 ? undefined : v[at.fqdn];
    servers.push({
      backendId: num(at.beId),
      backend: v[at.beName] as string,
      id: num(at.id),
      name: v[at.name] as string,
      address: addr === '-' ? '' : canonicalAddress(addr),
      port: v[at.port] as string,
      operational: num(at.op),
      admin: num(at.admin),
      weight: num(at.uweight),
      initialWeight: num(at.iweight),
      sinceChange: num(at.since),
      fqdn: fqdn === undefined || fqdn === '-' ? undefined : fqdn,
    });
  }
  return servers;
}

/** Sessions and queued requests of each server, from `show stat` (keyed `backend/server`). */
export function parseStatLoad(text: string): Map<string, { sessions: number; queued: number }> {
  const lines = text.split('\n');
  const fields = header(lines, 'show stat');
  const [px, sv, scur, qcur] = ['pxname', 'svname', 'scur', 'qcur'].map((f) => fields.indexOf(f));
  if ([px, sv, scur, qcur].some((i) => i === undefined || i < 0)) throw new StateFormatError('show stat: the header lacks pxname, svname, scur or qcur');
  const load = new Map<string, { sessions: number; queued: number }>();
  for (const line of lines) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const v = line.split(',');
    const name = v[sv as number];
    if (name === 'FRONTEND' || name === 'BACKEND') continue;
    load.set(`${v[px as number]}/${name}`, { sessions: Number(v[scur as number]) || 0, queued: Number(v[qcur as number]) || 0 });
  }
  return load;
}

/** Backend names from `show backend` (backends and listen sections). */
export function parseBackends(text: string): Set<string> {
  return new Set(text.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')));
}

export interface RunningInfo {
  /** As haproxy prints it (`2.6.12-1+deb12u4`). */
  readonly version: string;
  readonly major: number;
  readonly minor: number;
  readonly pid: number | undefined;
}

/** `show info`: the version and the worker's PID. */
export function parseInfo(text: string): RunningInfo {
  const field = (name: string): string | undefined => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim();
  const version = field('Version');
  const match = version === undefined ? null : /^(\d+)\.(\d+)/.exec(version);
  if (version === undefined || match === null) throw new StateFormatError('show info: no "Version: X.Y…" line');
  const pid = Number(field('Pid'));
  return { version, major: Number(match[1]), minor: Number(match[2]), pid: Number.isInteger(pid) ? pid : undefined };
}
