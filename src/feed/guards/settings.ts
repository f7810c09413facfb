import * as z from 'zod';
import type { BlockContext } from '../../config/block.js';
import { DEFAULTS } from '../../config/defaults.js';
import { parseDuration } from '../../config/duration.js';
import { InputError } from '../../errors.js';
import { parseCidr } from './allowlist.js';
import type { GuardSettings, ServiceGuardSettings } from './guards.js';

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const durationText = z.union([z.string().min(1), z.number().nonnegative()]).transform(String);
const percentOrOff = z.union([z.number().min(0).max(100), z.string().regex(/^(off|\d+(\.\d+)?%?)$/, 'must be a percentage such as 20 or "20%", or "off"')]);

/** The guards between a registry's answers and the templates. */
export const guardKeys = {
  flap: z.string().min(1).optional(),
  flap_wait: durationText.optional(),
  max_removal: percentOrOff.optional(),
  hold_max: durationText.optional(),
  allow: z
    .strictObject({
      cidrs: z.array(nonEmpty).optional(),
      tags: z.array(nonEmpty).optional(),
      dcs: z.array(nonEmpty).optional(),
    })
    .optional(),
  /** Per-service guard settings, by service name. */
  services: z.record(z.string().min(1), z.strictObject({ max_removal: percentOrOff.optional(), allow_empty: z.boolean().optional() })).optional(),
};

/** `20`, `20%` → 20; `off` → undefined. */
export function parsePercent(value: string | number, what: string): number | undefined {
  if (value === 'off') return undefined;
  const n = typeof value === 'number' ? value : Number(value.replace(/%$/, ''));
  if (!Number.isFinite(n) || n < 0 || n > 100) {
    throw new InputError(`${what}: "${value}" is not a percentage`, undefined, 'give a number from 0 to 100 (e.g. 20 or 20%), or off');
  }
  return n;
}

/** `5/30s` → more than 5 changes within 30 s damp a service; `off` → undefined. */
export function parseFlap(value: string, what: string): { changes: number; windowMs: number } | undefined {
  if (value === 'off') return undefined;
  const match = /^(\d+)\/(.+)$/.exec(value);
  const changes = Number(match?.[1]);
  if (!match || !Number.isInteger(changes) || changes < 1) {
    throw new InputError(`${what}: "${value}" is not N/WINDOW`, undefined, 'for example 5/30s (more than 5 changes in 30 s), or off');
  }
  const windowMs = parseDuration(match[2] as string, what);
  if (windowMs <= 0) throw new InputError(`${what}: the window must be longer than 0`, undefined, 'for example 5/30s');
  return { changes, windowMs };
}

/** Guard settings: flags over the config file over defaults. */
export function guardsFrom({ flags, file, at }: BlockContext): GuardSettings {
  const flap = at.pick(flags.flap, '--flap', file.flap, ['flap'], (v, name) => ({ damping: parseFlap(v, name) })) ?? { damping: parseFlap(DEFAULTS.flap, 'the default flap') };
  const dampedWaitMs = at.pick(flags.flapWait, '--flap-wait', file.flap_wait, ['flap_wait'], parseDuration) ?? flap.damping?.windowMs;
  const percent = (v: string | number, name: string): { pct: number | undefined } => ({ pct: parsePercent(v, name) });
  const maxRemoval = at.pick(flags.maxRemoval, '--max-removal', file.max_removal, ['max_removal'], percent);
  const services: Record<string, ServiceGuardSettings> = {};
  for (const [name, own] of Object.entries(file.services ?? {})) {
    const pct = own.max_removal === undefined ? undefined : at.key(['services', name, 'max_removal'], (what) => percent(own.max_removal as string | number, what));
    services[name] = {
      ...(pct === undefined ? {} : { maxRemovalPct: pct.pct ?? null }),
      ...(own.allow_empty === undefined ? {} : { allowEmpty: own.allow_empty }),
    };
  }
  const cidrs = [
    ...(file.allow?.cidrs ?? []).map((cidr, i) => at.key(['allow', 'cidrs', i], (what) => (parseCidr(cidr, what), cidr))),
    ...(flags.allowCidr ?? []).map((cidr) => (parseCidr(cidr, '--allow-cidr'), cidr)),
  ];
  return {
    allowlist: { cidrs, tags: [...(file.allow?.tags ?? []), ...(flags.allowTag ?? [])], dcs: [...(file.allow?.dcs ?? []), ...(flags.allowDc ?? [])] },
    maxRemovalPct: maxRemoval === undefined ? DEFAULTS.maxRemovalPct : maxRemoval.pct,
    holdMaxMs: at.pick(flags.holdMax, '--hold-max', file.hold_max, ['hold_max'], parseDuration) ?? DEFAULTS.holdMaxMs,
    flap: flap.damping && dampedWaitMs !== undefined ? { ...flap.damping, dampedWaitMs } : undefined,
    services,
  };
}
