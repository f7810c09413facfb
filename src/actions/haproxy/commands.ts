import { isIP } from 'node:net';
import { canonicalAddress, joinHostPort, portText } from '../../util/address.js';

/**
 * The Runtime API commands ctmpl sends, as data, and the one place that turns them into text.
 * Names, addresses and options come from the catalog through a template, so every word is
 * checked against what haproxy can take and refused otherwise: the CLI splits commands at `;`
 * and newlines and has no quoting, so a word outside these sets could smuggle in a command.
 */
export type RuntimeCommand =
  | { readonly kind: 'add'; readonly backend: string; readonly server: string; readonly address: string; readonly port: string; readonly weight: number; readonly options: readonly string[] }
  | { readonly kind: 'addr'; readonly backend: string; readonly server: string; readonly address: string; readonly port: string }
  | { readonly kind: 'weight'; readonly backend: string; readonly server: string; readonly weight: number }
  | { readonly kind: 'ready' | 'drain' | 'maint' | 'health' | 'agent' | 'del'; readonly backend: string; readonly server: string };

export type CommandKind = RuntimeCommand['kind'];
export const COMMAND_KINDS: readonly CommandKind[] = ['add', 'health', 'agent', 'addr', 'weight', 'ready', 'drain', 'maint', 'del'];

/** Proxy and server names as haproxy accepts them (its invalid_char rule), bounded in length. */
const NAME = /^[A-Za-z0-9_.:-]{1,1000}$/;
/**
 * Option words repeated from a `server` line on `add server`: what server keywords and their
 * values use (`check`, `inter`, `2s`, `/etc/ssl/ca.pem`, `req.hdr(host)`, `h2,http/1.1`). No
 * blank, `;`, `#`, quote, backslash or `$` (a variable the config would expand and the CLI would not).
 */
const OPTION = /^[A-Za-z0-9_.:/,=+@%()[\]-]{1,512}$/;
export const MAX_WEIGHT = 256;

export class UnsafeValueError extends Error {
  override readonly name = 'UnsafeValueError';
}

function name(value: string, what: string): string {
  if (!NAME.test(value)) throw new UnsafeValueError(`${what} ${JSON.stringify(value.slice(0, 80))} has characters haproxy does not take in a name ([A-Za-z0-9_.:-])`);
  return value;
}

/** An IP literal, canonical; the Runtime API's `addr` takes no host name. */
function ip(value: string): string {
  if (isIP(value) === 0 || value.includes('%')) throw new UnsafeValueError(`address ${JSON.stringify(value.slice(0, 80))} is not an IP address`);
  return canonicalAddress(value);
}

function port(value: string): string {
  const text = portText(value);
  if (text === undefined) throw new UnsafeValueError(`port ${JSON.stringify(value.slice(0, 20))} is not a whole number from 1 to 65535`);
  return text;
}

function weight(value: number): string {
  if (!Number.isInteger(value) || value < 0 || value > MAX_WEIGHT) throw new UnsafeValueError(`weight ${String(value)} is not a whole number from 0 to ${MAX_WEIGHT}`);
  return String(value);
}

function option(value: string): string {
  if (!OPTION.test(value)) throw new UnsafeValueError(`server option ${JSON.stringify(value.slice(0, 80))} cannot be sent on the Runtime API (blank, quote, ;, #, \\ or $)`);
  return value;
}

/** The command line for `command`; throws UnsafeValueError rather than send a bad word. */
export function commandText(command: RuntimeCommand): string {
  const target = `${name(command.backend, 'backend')}/${name(command.server, 'server')}`;
  switch (command.kind) {
    case 'add':
      return [`add server ${target} ${joinHostPort(ip(command.address), port(command.port))} weight ${weight(command.weight)}`, ...command.options.map(option)].join(' ');
    case 'addr':
      return `set server ${target} addr ${ip(command.address)} port ${port(command.port)}`;
    case 'weight':
      return `set server ${target} weight ${weight(command.weight)}`;
    case 'ready':
    case 'drain':
    case 'maint':
      return `set server ${target} state ${command.kind}`;
    case 'health':
      return `enable health ${target}`;
    case 'agent':
      return `enable agent ${target}`;
    case 'del':
      return `del server ${target}`;
  }
}

/** Why `command` cannot be sent, or undefined when it can. */
export function unsafeReason(command: RuntimeCommand): string | undefined {
  try {
    commandText(command);
    return undefined;
  } catch (err) {
    if (err instanceof UnsafeValueError) return err.message;
    throw err;
  }
}

/** `web/a1: add 10.0.0.1:80` — for logs and the drift report. */
export function describeCommand(command: RuntimeCommand): string {
  const target = `${command.backend}/${command.server}`;
  switch (command.kind) {
    case 'add':
      return `${target}: add ${joinHostPort(command.address, command.port)} weight ${command.weight}${command.options.length > 0 ? ` ${command.options.join(' ')}` : ''}`;
    case 'addr':
      return `${target}: address → ${joinHostPort(command.address, command.port)}`;
    case 'weight':
      return `${target}: weight → ${command.weight}`;
    case 'health':
    case 'agent':
      return `${target}: enable ${command.kind} checks`;
    case 'del':
      return `${target}: delete`;
    default:
      return `${target}: state → ${command.kind}`;
  }
}
