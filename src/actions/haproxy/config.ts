import { isIP } from 'node:net';
import { canonicalAddress, splitHostPort } from '../../util/address.js';
import { splitWords, type Word } from './tokens.js';

/**
 * A rendered haproxy configuration as the runtime path sees it: its sections, and for every
 * backend (or listen section) its servers and server-template slots.
 *
 * The "structure" is everything but the address, port, weight and enabled/disabled state of
 * `server` lines, and the set of those lines: two texts with the same structure differ only in
 * what the Runtime API can change, so the second can be applied without a reload.
 */

/** Keywords that open a section (haproxy 2.0–3.x). */
const SECTION_KEYWORDS = new Set([
  'global', 'defaults', 'frontend', 'backend', 'listen', 'resolvers', 'peers', 'userlist', 'mailers', 'program',
  'http-errors', 'ring', 'cache', 'fcgi-app', 'log-forward', 'crt-store', 'traces', 'acme',
]);

/** Algorithms whose weights are fixed at load time unless `hash-type consistent` is set. */
const HASH_ALGORITHMS = /^(source|uri|url_param|hdr\(|rdp-cookie|hash)/;

export interface ServerLine {
  readonly name: string;
  /** The address word as written (`10.0.0.1:80`, `[::1]:80`, `db.local:5432`, `${ADDR}`…). */
  readonly addressWord: string;
  /**
   * An IP literal (canonical) and port the Runtime API can set, or undefined when the address is a
   * host name, has no port, a port range, a prefix (`ipv4@`) or a variable: such an address is part
   * of the structure, and only the weight and state of the server change at run time.
   */
  readonly endpoint: { readonly address: string; readonly port: string } | undefined;
  readonly weight: number;
  readonly disabled: boolean;
  /** Every other word, as written (`check`, `inter 2s`, `backup`…). */
  readonly options: readonly Word[];
  readonly line: number;
}

export interface ServerTemplate {
  readonly prefix: string;
  /** Slot names: prefix + first … prefix + last. */
  readonly first: number;
  readonly last: number;
  /** The options of the slots, without address, weight and disabled (as ServerLine.options). */
  readonly options: readonly Word[];
  readonly line: number;
}

export interface ProxySection {
  readonly kind: 'backend' | 'listen';
  readonly name: string;
  readonly servers: readonly ServerLine[];
  readonly templates: readonly ServerTemplate[];
  /**
   * The balance algorithm lets weights change and servers be added at run time (roundrobin,
   * leastconn, first, random, or a hash with `hash-type consistent`), as far as this file tells.
   */
  readonly dynamicBalance: boolean;
  /** A `default-server` line applies here (servers added at run time would not inherit it). */
  readonly defaultServer: boolean;
  readonly line: number;
}

export interface HaproxyConfig {
  /** Proxies with servers (backend and listen sections), by name. */
  readonly proxies: ReadonlyMap<string, ProxySection>;
  /** One string per section: its header and every line but `server` lines. */
  readonly sections: readonly string[];
}

interface Settings {
  balance?: string;
  hashType?: string;
  defaultServer?: boolean;
}

interface OpenSection {
  readonly kind: string;
  readonly name: string;
  readonly line: number;
  readonly lines: string[];
  readonly servers: ServerLine[];
  readonly templates: ServerTemplate[];
  readonly own: Settings;
  readonly inherited: Settings;
}

const raw = (words: readonly Word[]): string => words.map((w) => w.raw).join(' ');

/** Splits `words` after `server NAME ADDR` into weight, disabled/enabled and the other options. */
function serverLine(words: readonly Word[], line: number): ServerLine | undefined {
  const [, name, address, ...rest] = words;
  if (name === undefined || address === undefined) return undefined;
  let weight = 1;
  let disabled = false;
  const options: Word[] = [];
  for (let i = 0; i < rest.length; i += 1) {
    const word = rest[i] as Word;
    const next = rest[i + 1];
    if (word.plain && word.text === 'weight' && next?.plain && /^\d{1,3}$/.test(next.text) && Number(next.text) <= 256) {
      weight = Number(next.text);
      i += 1;
    } else if (word.plain && (word.text === 'disabled' || word.text === 'enabled')) {
      disabled = word.text === 'disabled';
    } else {
      options.push(word);
    }
  }
  return { name: name.text, addressWord: address.raw, endpoint: endpointOf(address), weight, disabled, options, line };
}

function endpointOf(word: Word): ServerLine['endpoint'] {
  if (!word.plain) return undefined;
  const split = splitHostPort(word.text);
  if (split === undefined || isIP(split.host) === 0) return undefined;
  return { address: canonicalAddress(split.host), port: split.port };
}

/**
 * `server-template PREFIX NUM|FIRST-LAST ADDR [options]`: read like a server line, so its
 * options compare with those of the servers that may take a slot.
 */
function templateLine(words: readonly Word[], line: number): ServerTemplate | undefined {
  const [keyword, prefix, range, ...rest] = words;
  const match = range?.plain ? /^(\d+)(?:-(\d+))?$/.exec(range.text) : null;
  if (keyword === undefined || prefix === undefined || match === null) return undefined;
  const shape = serverLine([keyword, prefix, ...rest], line);
  if (shape === undefined) return undefined;
  const first = match[2] === undefined ? 1 : Number(match[1]);
  const last = Number(match[2] ?? match[1]);
  return { prefix: prefix.text, first, last, options: shape.options, line };
}

function dynamicBalance(settings: Settings): boolean {
  const balance = settings.balance ?? 'roundrobin';
  if (balance === 'static-rr') return false;
  if (HASH_ALGORITHMS.test(balance)) return settings.hashType === 'consistent';
  return true;
}

/**
 * Parses a rendered configuration. Never throws: what it cannot read as a server line stays an
 * ordinary line of the structure, so any change to it asks for a reload.
 */
export function parseConfig(text: string): HaproxyConfig {
  const closed: OpenSection[] = [];
  const defaults = new Map<string, Settings>();
  let lastDefaults: Settings = {};
  let current: OpenSection = { kind: '', name: '', line: 0, lines: [], servers: [], templates: [], own: {}, inherited: {} };
  const lines = text.split(/\r?\n/);
  lines.forEach((lineText, index) => {
    const words = splitWords(lineText);
    const first = words[0];
    if (first === undefined) return;
    const keyword = first.plain ? first.text : '';
    const line = index + 1;
    if (SECTION_KEYWORDS.has(keyword)) {
      closed.push(current);
      if (current.kind === 'defaults') {
        // A proxy takes the settings of the last defaults section before it, or of `from NAME`.
        lastDefaults = { ...current.inherited, ...current.own };
        if (current.name !== '') defaults.set(current.name, lastDefaults);
      }
      const name = words[1]?.text ?? '';
      const from = words[2]?.text === 'from' ? words[3]?.text : undefined;
      const inherited = from !== undefined ? (defaults.get(from) ?? {}) : lastDefaults;
      current = { kind: keyword, name, line, lines: [raw(words)], servers: [], templates: [], own: {}, inherited };
      return;
    }
    const proxy = current.kind === 'backend' || current.kind === 'listen';
    if (proxy && keyword === 'server') {
      const server = serverLine(words, line);
      if (server !== undefined) {
        current.servers.push(server);
        return;
      }
    }
    if (proxy && keyword === 'server-template') {
      const template = templateLine(words, line);
      if (template !== undefined) current.templates.push(template);
    }
    if (keyword === 'balance') current.own.balance = raw(words.slice(1));
    if (keyword === 'hash-type') current.own.hashType = words[1]?.text;
    if (keyword === 'default-server') current.own.defaultServer = true;
    current.lines.push(raw(words));
  });
  closed.push(current);
  const proxies = new Map<string, ProxySection>();
  for (const section of closed) {
    if (section.kind !== 'backend' && section.kind !== 'listen') continue;
    const settings = { ...section.inherited, ...section.own };
    proxies.set(section.name, {
      kind: section.kind,
      name: section.name,
      servers: section.servers,
      templates: section.templates,
      dynamicBalance: dynamicBalance(settings),
      defaultServer: settings.defaultServer === true,
      line: section.line,
    });
  }
  return { proxies, sections: closed.filter((s) => s.lines.length > 0).map((s) => s.lines.join('\n')) };
}

/**
 * What of a server line only a reload can change: its options, and its whole address when the
 * Runtime API cannot set it (a host name, no port, a variable…).
 */
export function serverShape(server: ServerLine): string {
  return `${server.endpoint === undefined ? server.addressWord : '<endpoint>'} ${optionsText(server.options)}`.trim();
}

/** Options as written, one blank between words (for comparing a server with a slot). */
export const optionsText = (options: readonly Word[]): string => raw(options);

/** Why `next` cannot be applied to a haproxy running `previous` without a reload, or undefined. */
export function structuralChange(previous: HaproxyConfig, next: HaproxyConfig): string | undefined {
  const count = Math.max(previous.sections.length, next.sections.length);
  for (let i = 0; i < count; i += 1) {
    const before = previous.sections[i];
    const after = next.sections[i];
    if (before === after) continue;
    const header = ((after ?? before ?? '').split('\n')[0] ?? '').trim();
    return `the configuration outside server lines changed (section "${header === '' ? '(top)' : header}")`;
  }
  for (const [name, proxy] of next.proxies) {
    const old = previous.proxies.get(name);
    if (old === undefined) return `${proxy.kind} ${name} is new`;
    const oldServers = new Map(old.servers.map((s) => [s.name, s]));
    for (const server of proxy.servers) {
      const was = oldServers.get(server.name);
      if (was !== undefined && serverShape(was) !== serverShape(server)) {
        return `server ${name}/${server.name} changed more than its address, weight or state (line ${server.line})`;
      }
    }
    const duplicate = proxy.servers.find((s, i) => proxy.servers.findIndex((t) => t.name === s.name) !== i);
    if (duplicate !== undefined) return `server ${name}/${duplicate.name} is declared twice (line ${duplicate.line})`;
  }
  return undefined;
}

/** The slot names of a server-template line (`srv1`, `srv2`…). */
export function slotNames(template: ServerTemplate): string[] {
  const names: string[] = [];
  for (let n = template.first; n <= template.last && names.length < 100_000; n += 1) names.push(`${template.prefix}${n}`);
  return names;
}
