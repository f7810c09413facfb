import type { BlockContext } from '../config/block.js';
import type { BlockReader } from './definition.js';

/**
 * A registry block's keys, from its flags (which win) or the config file's block, each parsed with
 * its origin: errors name the flag as typed, or the key at file:line:col.
 */
export function blockReader(ctx: BlockContext, blockKey: string): BlockReader {
  const fileBlock = (ctx.file as Record<string, unknown>)[blockKey];
  const flagValues = ctx.flags.blocks?.[blockKey] ?? {};
  const fromFile = (key: readonly string[]): unknown => {
    let value: unknown = fileBlock;
    for (const part of key) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
    return value;
  };
  const flagOf = (key: readonly string[]) => flagValues[key.join('.')];
  return {
    get(key, parse) {
      const flag = flagOf(key);
      return ctx.at.pick(flag?.value, flag?.flag ?? '', fromFile(key), [blockKey, ...key], parse);
    },
    baseDirOf: (key) => (flagOf(key) !== undefined ? ctx.cwd : ctx.fileDir),
    flagOf: (key) => flagOf(key)?.flag,
  };
}
