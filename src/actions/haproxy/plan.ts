import { joinHostPort } from '../../util/address.js';
import { unsafeReason, type RuntimeCommand } from './commands.js';
import { optionsText, slotNames, type HaproxyConfig, type ProxySection, type ServerLine } from './config.js';
import { ADMIN, type ServerState } from './state.js';

/**
 * Turns "the servers the file wants" and "the servers haproxy runs" into an ordered list of
 * Runtime API commands, or says why only a reload can get there. Pure: the runtime executes it.
 *
 * Order: every server that will take traffic is brought up first (added, its checks enabled,
 * then made ready; addresses and weights set), and only then are servers taken down (drained,
 * or put in maintenance when the file disables them), so a backend never runs short while it
 * changes. A server gone from the file is drained here and deleted by the runtime once it has
 * no session left (`del server` refuses a server in use); one still busy stays drained and is
 * deleted by a later apply or reconcile.
 */

export interface Capabilities {
  /** `add server` (haproxy ≥ 2.4). */
  readonly addServer: boolean;
  /** `del server` (haproxy ≥ 2.4). */
  readonly delServer: boolean;
  /** `check` on `add server`, enabled with `enable health` (haproxy ≥ 2.5). */
  readonly checksOnAdded: boolean;
  /** 2.4 runs add/del server in experimental mode only. */
  readonly experimental: boolean;
}

export function capabilitiesOf(version: { major: number; minor: number }): Capabilities {
  const at = (major: number, minor: number): boolean => version.major > major || (version.major === major && version.minor >= minor);
  return { addServer: at(2, 4), delServer: at(2, 4), checksOnAdded: at(2, 5), experimental: version.major === 2 && version.minor === 4 };
}

export interface PlannedStep {
  readonly command: RuntimeCommand;
  /** Why, for the log and the drift report: `new in the file`, `weight 1 → 3`… */
  readonly why: string;
}

/** A server to finish taking down once it has no session: maintenance, then deletion. */
export interface Removal {
  readonly backend: string;
  readonly server: string;
  readonly inMaint: boolean;
  /** false for server-template slots (kept, free for reuse) and where `del server` is missing. */
  readonly remove: boolean;
}

export type Plan =
  | { readonly kind: 'plan'; readonly bringUp: readonly PlannedStep[]; readonly takeDown: readonly PlannedStep[]; readonly removals: readonly Removal[] }
  | { readonly kind: 'reload'; readonly reason: string };

class NeedsReload extends Error {}

/** Steps by phase: additions (with checks and ready), changes of running servers, take-downs. */
interface Buckets {
  readonly additions: PlannedStep[];
  readonly changes: PlannedStep[];
  readonly takeDown: PlannedStep[];
  readonly removals: Removal[];
}

const endpointText = (address: string, port: string): string => joinHostPort(address, port);
const forcedMaint = (s: ServerState): boolean => (s.admin & ADMIN.forcedMaint) !== 0;
const forcedDrain = (s: ServerState): boolean => (s.admin & ADMIN.forcedDrain) !== 0;

function hasWord(server: ServerLine, word: string): boolean {
  return server.options.some((w) => w.plain && w.text === word);
}

/** The commands that give a server that is not running yet: add, checks, then ready. */
function addSteps(proxy: ProxySection, server: ServerLine, caps: Capabilities): PlannedStep[] {
  const where = `${proxy.name}/${server.name} (line ${server.line})`;
  if (!caps.addServer) throw new NeedsReload(`${where} is new and this haproxy has no "add server" (before 2.4) nor a free server-template slot`);
  if (!proxy.dynamicBalance) throw new NeedsReload(`${where} is new and backend ${proxy.name} uses a static balance algorithm ("add server" needs a dynamic one)`);
  if (proxy.defaultServer) throw new NeedsReload(`${where} is new and backend ${proxy.name} has default-server settings, which "add server" does not apply`);
  if (server.endpoint === undefined) throw new NeedsReload(`${where} is new and its address ${server.addressWord} is not IP:PORT (only a reload resolves names)`);
  const unplain = server.options.find((w) => !w.plain);
  if (unplain !== undefined) throw new NeedsReload(`${where} is new and its option ${unplain.raw} is quoted, escaped or holds a variable`);
  const checks = hasWord(server, 'check');
  if (checks && !caps.checksOnAdded) throw new NeedsReload(`${where} is new with "check", which "add server" takes from haproxy 2.5 on`);
  const base = { backend: proxy.name, server: server.name };
  const add: RuntimeCommand = { kind: 'add', ...base, ...server.endpoint, weight: server.weight, options: server.options.map((w) => w.text) };
  const unsafe = unsafeReason(add);
  if (unsafe !== undefined) throw new NeedsReload(`${where}: ${unsafe}`);
  const steps: PlannedStep[] = [{ command: add, why: 'new in the file' }];
  // Checks before ready: a dead instance then leaves maintenance already marked down.
  if (checks) steps.push({ command: { kind: 'health', ...base }, why: 'has "check"' });
  if (hasWord(server, 'agent-check')) steps.push({ command: { kind: 'agent', ...base }, why: 'has "agent-check"' });
  if (!server.disabled) steps.push({ command: { kind: 'ready', ...base }, why: 'new in the file' });
  return steps;
}

/** Makes running server `running` (the file's `server`, or a slot that takes it) match `server`. */
function alignSteps(proxy: ProxySection, server: ServerLine, running: ServerState, { changes: bringUp, takeDown }: Buckets): void {
  const base = { backend: proxy.name, server: running.name };
  const slot = running.name === server.name ? '' : ` (slot for ${server.name})`;
  const endpoint = server.endpoint;
  if (endpoint !== undefined && (running.address !== endpoint.address || running.port !== endpoint.port)) {
    const from = running.address === '' ? 'unresolved' : endpointText(running.address, running.port);
    bringUp.push({ command: { kind: 'addr', ...base, ...endpoint }, why: `address ${from} → ${endpointText(endpoint.address, endpoint.port)}${slot}` });
  }
  if (running.weight !== server.weight) {
    if (!proxy.dynamicBalance) throw new NeedsReload(`${proxy.name}/${server.name}: weight ${running.weight} → ${server.weight} in a backend with a static balance algorithm`);
    bringUp.push({ command: { kind: 'weight', ...base, weight: server.weight }, why: `weight ${running.weight} → ${server.weight}${slot}` });
  }
  if (server.disabled && !forcedMaint(running)) takeDown.push({ command: { kind: 'maint', ...base }, why: `disabled in the file${slot}` });
  if (!server.disabled && (forcedMaint(running) || forcedDrain(running))) {
    bringUp.push({ command: { kind: 'ready', ...base }, why: `${forcedMaint(running) ? 'in maintenance' : 'draining'} but enabled in the file${slot}` });
  }
}

function planProxy(proxy: ProxySection, running: readonly ServerState[], caps: Capabilities, buckets: Buckets): void {
  const byName = new Map(running.map((s) => [s.name, s]));
  const slots = new Map<string, string>();
  for (const template of proxy.templates) for (const name of slotNames(template)) slots.set(name, optionsText(template.options));
  const claimed = new Set<string>();
  const waiting: ServerLine[] = [];
  for (const server of proxy.servers) {
    const current = byName.get(server.name);
    if (current === undefined) waiting.push(server);
    else alignSteps(proxy, server, current, buckets);
  }
  const slotFor = (server: ServerLine, free: boolean): ServerState | undefined =>
    running.find(
      (s) =>
        slots.get(s.name) === optionsText(server.options) &&
        !claimed.has(s.name) &&
        (free ? forcedMaint(s) : !forcedMaint(s) && s.address === server.endpoint?.address && s.port === server.endpoint.port),
    );
  // A slot already serving the server's address keeps it (after an interrupted apply or a
  // reload); then free slots go to the rest, and `add server` to what is left.
  const unplaced: ServerLine[] = [];
  for (const server of waiting) {
    const slot = server.endpoint === undefined || server.disabled ? undefined : slotFor(server, false);
    if (slot === undefined) unplaced.push(server);
    else {
      claimed.add(slot.name);
      alignSteps(proxy, server, slot, buckets);
    }
  }
  for (const server of unplaced) {
    // A disabled server that is not running is as good as absent: nothing to do.
    if (server.disabled && slots.size > 0) continue;
    const slot = server.endpoint === undefined ? undefined : slotFor(server, true);
    if (slot !== undefined) {
      claimed.add(slot.name);
      alignSteps(proxy, server, slot, buckets);
    } else if (caps.addServer || slots.size === 0) {
      buckets.additions.push(...addSteps(proxy, server, caps));
    } else {
      throw new NeedsReload(`${proxy.name}/${server.name} is new and backend ${proxy.name} has no free server-template slot left`);
    }
  }
  const wanted = new Set(proxy.servers.map((s) => s.name));
  for (const server of running) {
    if (wanted.has(server.name) || claimed.has(server.name)) continue;
    const slot = slots.has(server.name);
    if (slot && forcedMaint(server)) continue;
    const remove = !slot && caps.delServer;
    // Already in maintenance and not deletable (before 2.4): nothing more to do.
    if (forcedMaint(server) && !remove) continue;
    if (!forcedMaint(server) && !forcedDrain(server)) buckets.takeDown.push({ command: { kind: 'drain', backend: proxy.name, server: server.name }, why: slot ? 'slot no longer used' : 'gone from the file' });
    buckets.removals.push({ backend: proxy.name, server: server.name, inMaint: forcedMaint(server), remove });
  }
}

/**
 * The plan that makes the running servers of every backend in `config` what the file says.
 * `backends` are the backend names haproxy runs (`show backend`); `running` its servers.
 */
export function planChanges(config: HaproxyConfig, running: readonly ServerState[], backends: ReadonlySet<string>, caps: Capabilities): Plan {
  const buckets: Buckets = { additions: [], changes: [], takeDown: [], removals: [] };
  try {
    for (const proxy of config.proxies.values()) {
      if (!backends.has(proxy.name)) throw new NeedsReload(`${proxy.kind} ${proxy.name} is in the file but not in the running haproxy`);
      const names = new Set<string>();
      for (const server of proxy.servers) {
        if (names.has(server.name)) throw new NeedsReload(`server ${proxy.name}/${server.name} is declared twice (line ${server.line})`);
        names.add(server.name);
      }
      planProxy(proxy, running.filter((s) => s.backend === proxy.name), caps, buckets);
    }
  } catch (err) {
    if (err instanceof NeedsReload) return { kind: 'reload', reason: err.message };
    throw err;
  }
  return { kind: 'plan', bringUp: [...buckets.additions, ...buckets.changes], takeDown: buckets.takeDown, removals: buckets.removals };
}
