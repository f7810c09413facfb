import { configFileSchema } from '../schema.js';

/**
 * ctmpl's own config keys, read from its zod schema so this never drifts from it. Paths are
 * dotted with `[]` for list items: `templates[].source`.
 */

/**
 * Keys the consul-template mapping targets that ctmpl's schema is getting (not all there yet).
 * A key here that the schema already has is simply found in both.
 */
export const PENDING_CTMPL_KEYS: readonly string[] = [
  ...['consul.auth', 'consul.auth.enabled', 'consul.auth.username', 'consul.auth.password'],
  ...['consul.retry', 'consul.retry.enabled', 'consul.retry.attempts', 'consul.retry.backoff', 'consul.retry.max_backoff'],
  ...['kill_signal', 'reload_signal', 'pid_file', 'wait.min', 'wait.max'],
  ...['templates[].contents', 'templates[].command_timeout', 'templates[].error_on_missing_key'],
  ...['templates[].left_delimiter', 'templates[].right_delimiter', 'templates[].create_dest_dirs'],
  ...['templates[].wait.min', 'templates[].wait.max'],
];

/** Just what the walk needs of a zod 4 schema's definition. */
interface SchemaDef {
  readonly type: string;
  readonly innerType?: unknown;
  readonly in?: unknown;
  readonly shape?: Readonly<Record<string, unknown>>;
  readonly element?: unknown;
  readonly options?: readonly unknown[];
  readonly valueType?: unknown;
}

const defOf = (schema: unknown): SchemaDef => (schema as { def: SchemaDef }).def;

/** The schemas a value can have (optional, default, transforms and unions looked through). */
function shapesOf(schema: unknown): unknown[] {
  const def = defOf(schema);
  if (def.innerType !== undefined) return shapesOf(def.innerType);
  if (def.type === 'pipe') return shapesOf(def.in);
  if (def.type === 'union') return (def.options ?? []).flatMap(shapesOf);
  return [schema];
}

function step(schema: unknown, segment: string): unknown[] {
  return shapesOf(schema).flatMap((shape) => {
    const def = defOf(shape);
    if (segment === '[]') return def.type === 'array' ? [def.element] : [];
    if (def.type === 'object') return def.shape && Object.hasOwn(def.shape, segment) ? [def.shape[segment]] : [];
    if (def.type === 'record') return [def.valueType];
    return [];
  });
}

export const splitPath = (dotted: string): string[] => (dotted === '' ? [] : dotted.replace(/\[\]/g, '.[]').split('.'));

function schemasAt(dotted: string): unknown[] {
  return splitPath(dotted).reduce<unknown[]>((schemas, segment) => schemas.flatMap((s) => step(s, segment)), [configFileSchema]);
}

/** Whether ctmpl's schema has the key (`templates[].source`, `consul.ssl.ca_cert`). */
export const schemaHasKey = (dotted: string): boolean => schemasAt(dotted).length > 0;

/** Keys ctmpl knows inside the block at `dotted` ('' for the top level), pending ones included. */
export function ctmplKeysAt(dotted: string): string[] {
  const keys = new Set<string>();
  for (const schema of schemasAt(dotted)) {
    for (const shape of shapesOf(schema)) for (const key of Object.keys(defOf(shape).shape ?? {})) keys.add(key);
  }
  const prefix = dotted === '' ? '' : `${dotted}.`;
  for (const pending of PENDING_CTMPL_KEYS) {
    const rest = pending.startsWith(prefix) ? pending.slice(prefix.length) : undefined;
    if (rest && !rest.includes('.') && !rest.includes('[')) keys.add(rest);
  }
  return [...keys];
}
