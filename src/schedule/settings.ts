import { z } from 'zod';
import type { BlockContext } from '../config/block.js';
import { DEFAULTS } from '../config/defaults.js';
import { parseWait, type WaitSpec } from '../config/duration.js';

const durationText = z.union([z.string().min(1), z.number().nonnegative()]).transform(String);

/** Quiescence for every template without a wait of its own. */
export const waitKeys = { wait: durationText.optional() };

export function waitFrom({ flags, file, at }: BlockContext): WaitSpec {
  return at.pick(flags.wait, '--wait', file.wait, ['wait'], parseWait) ?? DEFAULTS.wait;
}
