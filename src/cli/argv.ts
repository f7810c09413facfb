import { InputError } from '../errors.js';
import { nearestName } from '../config/hcl/consul-template-keys.js';
import { CONSUL_TEMPLATE_FLAGS, parseGoBool, type ConsulTemplateFlag } from './consul-template-flags.js';

/** One option ctmpl knows, as the argument reader needs it (derived from the commander program). */
export interface OptionSpec {
  /** `--template` */
  readonly long: string;
  /** `-t` */
  readonly short?: string | undefined;
  /**
   * value: takes one (`--wait 1s`, `--wait=1s`); switch: takes none (`--once`; `--once=false` as Go
   * allows); bool: a true/false value that may be left out (`--consul-ssl-verify` alone is true).
   */
  readonly takes: 'value' | 'switch' | 'bool';
}

/** What the reader made of the command line. */
export interface ReadArgs {
  /** Canonical arguments for commander: `--long=value` or `--long`, nothing else. */
  readonly args: string[];
  /** Switches turned off explicitly (`-dedup=false`), by long name: they override a config file. */
  readonly off: ReadonlySet<string>;
  /** `-parse-only`: check, render nothing. */
  readonly validate: boolean;
  /** How each given option was spelled, by long name (`--consul-ca-cert` → `-consul-ssl-ca-cert`). */
  readonly typed: ReadonlyMap<string, string>;
}

const USAGE = 'run ctmpl --help for usage';
const HELP = '--help';

/** Looks like an option rather than a value (`-1s` and `-` are values). */
const optionLike = (arg: string): boolean => /^--?[A-Za-z]/.test(arg);
/** The option part of an argument, never its value (a value may be a credential). */
const nameOnly = (arg: string): string => arg.replace(/=.*$/s, '');
const quoted = (text: string): string => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);

/**
 * Reads argv strictly, in consul-template's manner as well as GNU's: `--name value`,
 * `--name=value`, `-name value`, `-name=value` for every long option, `-t value` for short ones,
 * and clusters of short options only where each letter is one. consul-template's flag names are
 * read through CONSUL_TEMPLATE_FLAGS. Anything else is refused (InputError, exit 2) naming the
 * option as typed, without its value, with the nearest known name: an unknown option never turns
 * into a value, a command or a path.
 */
export function readArgs(argv: readonly string[], options: readonly OptionSpec[]): ReadArgs {
  const byLong = new Map(options.map((o) => [o.long.replace(/^--/, ''), o]));
  const byShort = new Map(options.flatMap((o) => (o.short ? [[o.short.replace(/^-/, ''), o] as const] : [])));
  const args: string[] = [];
  const off = new Set<string>();
  const typed = new Map<string, string>();
  let validate = false;
  /** A switch just given without a value: a `true`/`false` after it was meant for it. */
  let bareSwitch: string | undefined;

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const afterSwitch = bareSwitch;
    bareSwitch = undefined;
    const next = (): string | undefined => argv[i + 1];
    const take = (): string => argv[++i] as string;

    /** Applies one option with its inline value (after `=`), taking the next argument when it needs one. */
    const apply = (spec: OptionSpec, spelled: string, inline: string | undefined): void => {
      typed.set(spec.long, spelled);
      if (spec.long === HELP) {
        args.push(HELP);
        return;
      }
      if (spec.takes === 'switch') {
        const on = inline === undefined ? true : parseGoBool(inline);
        if (on === undefined) throw new InputError(`${spelled} is a switch: it takes no value, or =true / =false`, undefined, `write ${spelled} alone to turn it on`);
        if (on) args.push(spec.long);
        else off.add(spec.long);
        if (inline === undefined) bareSwitch = spelled;
        return;
      }
      if (spec.takes === 'bool') {
        const consumes = inline === undefined && next() !== undefined && parseGoBool(next() as string) !== undefined;
        if (inline === undefined && !consumes) bareSwitch = spelled;
        const text = inline ?? (consumes ? take() : 'true');
        const value = parseGoBool(text);
        if (value === undefined) throw new InputError(`${spelled} takes true or false, not ${quoted(text)}`, undefined, `write ${spelled}=false to turn it off`);
        args.push(`${spec.long}=${String(value)}`);
        return;
      }
      let value = inline;
      if (value === undefined) {
        const candidate = next();
        if (candidate === undefined) throw new InputError(`${spelled} needs a value`, undefined, USAGE);
        if (optionLike(candidate)) {
          throw new InputError(`${spelled} needs a value, and ${quoted(nameOnly(candidate))} after it is an option`, undefined, `give ${spelled} its value, or write ${spelled}=VALUE if the value starts with "-"`);
        }
        value = take();
      }
      args.push(`${spec.long}=${value}`);
    };

    /** A consul-template flag ctmpl does not have under that name. */
    const consulTemplate = (name: string, flag: ConsulTemplateFlag, spelled: string, inline: string | undefined): void => {
      const { rule, type } = flag;
      if (rule.kind === 'ctmpl') {
        const spec = rule.flag === HELP ? { long: HELP, takes: 'switch' as const } : byLong.get(rule.flag.replace(/^--/, ''));
        if (!spec) throw new Error(`consul-template's -${name} maps to ${rule.flag}, which ctmpl lacks`);
        apply(spec, spelled, inline);
        return;
      }
      if (rule.kind === 'refused') {
        throw new InputError(`${spelled} (a consul-template flag) is not supported`, undefined, rule.reason);
      }
      // validate / harmless-only: read the value as consul-template would.
      let value = inline;
      if (value === undefined && type === 'bool') bareSwitch = spelled;
      if (value === undefined) value = type === 'bool' ? 'true' : next() !== undefined && !optionLike(next() as string) ? take() : undefined;
      if (value === undefined) throw new InputError(`${spelled} needs a value`, undefined, USAGE);
      if (type === 'bool' && parseGoBool(value) === undefined) throw new InputError(`${spelled} takes true or false, not ${quoted(value)}`, undefined, USAGE);
      if (rule.kind === 'validate') {
        if (parseGoBool(value) === true) validate = true;
        return;
      }
      if (!rule.harmless(value)) throw new InputError(`${spelled} (a consul-template flag) is not supported with this value`, undefined, rule.reason);
    };

    const long = (name: string, spelled: string, inline: string | undefined): void => {
      const spec = name === 'help' ? { long: HELP, takes: 'switch' as const } : byLong.get(name);
      if (spec) return apply(spec, spelled, inline);
      const flag = CONSUL_TEMPLATE_FLAGS.get(name);
      if (flag) return consulTemplate(name, flag, spelled, inline);
      throw unknownOption(spelled, name, byLong, byShort);
    };

    if (arg === '--') {
      const rest = argv.slice(i + 1);
      if (rest.length > 0) throw new InputError(`unexpected argument ${quoted(rest[0] as string)} after --`, undefined, 'ctmpl takes no arguments besides its options; run ctmpl --help for usage');
      break;
    }
    if (arg.startsWith('--') && arg.length > 2) {
      const [name, inline] = splitInline(arg.slice(2));
      if (name === '') throw new InputError(`unknown option ${quoted(nameOnly(arg))}`, undefined, USAGE);
      long(name, `--${name}`, inline);
    } else if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
      const [body, inline] = splitInline(arg.slice(1));
      if (body === '') {
        throw new InputError(`unknown option ${quoted(nameOnly(arg))}`, undefined, USAGE);
      } else if (body.length === 1) {
        const spec = byShort.get(body) ?? (body === 'h' ? { long: HELP, takes: 'switch' as const } : undefined);
        if (spec) apply(spec, `-${body}`, inline);
        else throw unknownOption(`-${body}`, body, byLong, byShort);
      } else if (byLong.has(body) || CONSUL_TEMPLATE_FLAGS.has(body)) {
        long(body, `-${body}`, inline);
      } else if (inline === undefined && isCluster(body, byShort)) {
        for (const letter of body) apply(byShort.get(letter) as OptionSpec, `-${letter}`, undefined);
      } else {
        throw unknownOption(`-${body}`, body, byLong, byShort);
      }
    } else {
      const after = afterSwitch === undefined ? '' : ` after the switch ${afterSwitch}`;
      const switchHint = afterSwitch !== undefined && parseGoBool(arg) !== undefined ? `a switch takes its value after "=": ${afterSwitch}=${arg}` : undefined;
      throw new InputError(`unexpected argument ${quoted(arg)}${after}`, undefined, switchHint ?? 'ctmpl takes no arguments besides its options; run ctmpl --help for usage');
    }
  }
  return { args, off, validate, typed };
}

/** `name=value` → name and value; a name alone → name and undefined. */
function splitInline(text: string): [string, string | undefined] {
  const eq = text.indexOf('=');
  return eq < 0 ? [text, undefined] : [text.slice(0, eq), text.slice(eq + 1)];
}

/** Every letter a short option, and only the last one taking a value (`-vh`; never `-tfoo`). */
function isCluster(body: string, byShort: ReadonlyMap<string, OptionSpec>): boolean {
  const letters = [...body];
  return letters.every((letter, i) => {
    const spec = byShort.get(letter);
    return spec !== undefined && (spec.takes === 'switch' || i === letters.length - 1);
  });
}

/** An unknown option, named as typed (never its value), with the nearest name ctmpl or consul-template knows. */
function unknownOption(spelled: string, name: string, byLong: ReadonlyMap<string, OptionSpec>, byShort: ReadonlyMap<string, OptionSpec>): InputError {
  if (name.length === 1) {
    return new InputError(`unknown option ${spelled}`, undefined, `ctmpl's short options are ${[...byShort.keys(), 'h'].map((s) => `-${s}`).join(', ')}; long options take one or two dashes (-once, --once). Run ctmpl --help for usage`);
  }
  const nearest = nearestName(name, [...byLong.keys(), ...CONSUL_TEMPLATE_FLAGS.keys()]);
  if (nearest === undefined) {
    const short = byShort.get(name[0] as string);
    const glued = short !== undefined && short.takes === 'value' && !spelled.startsWith('--');
    return new InputError(`unknown option ${spelled}`, undefined, glued ? `ctmpl does not read a value glued to a short option: write -${name[0]} VALUE` : USAGE);
  }
  const rule = byLong.has(nearest) ? undefined : CONSUL_TEMPLATE_FLAGS.get(nearest)?.rule;
  const instead =
    rule === undefined || (rule.kind === 'ctmpl' && rule.flag === `--${nearest}`)
      ? ''
      : rule.kind === 'ctmpl'
        ? ` (consul-template's name; ctmpl's is ${rule.flag})`
        : rule.kind === 'validate'
          ? ' (consul-template\'s name; ctmpl\'s is "ctmpl validate")'
          : ` (a consul-template flag ctmpl does not support: ${rule.reason})`;
  return new InputError(`unknown option ${spelled}`, undefined, `did you mean -${spelled.startsWith('--') ? '-' : ''}${nearest}?${instead}`);
}
