import * as z from 'zod';
import type { BlockContext } from '../config/block.js';
import { DEFAULTS } from '../config/defaults.js';
import { parseWait, type WaitSpec } from '../config/duration.js';

const durationText = z.union([z.string().min(1), z.number().nonnegative()]).transform(String);

/** `min[:max]`, or consul-template's `{ min, max }` (max defaults to 4 × min, as there). */
export const waitSchema = z.union([
  durationText,
  z
    .strictObject({
      min: durationText.describe('calm to wait for after a change before rendering'),
      max: durationText.optional().describe('longest wait after the first change (default 4 × min)'),
    })
    .transform(({ min, max }) => (max === undefined ? min : `${min}:${max}`)),
]);

/** Quiescence for every template without a wait of its own. */
export const waitKeys = { wait: waitSchema.optional() };

export function waitFrom({ flags, file, at }: BlockContext): WaitSpec {
  return at.pick(flags.wait, '--wait', file.wait, ['wait'], parseWait) ?? DEFAULTS.wait;
}
