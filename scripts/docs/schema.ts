/**
 * Every key of the config file, read from its zod 4 schema (src/config/schema.ts): the key path,
 * a readable type and the schema's own description (`.describe()`/`.meta()`), when it has one.
 */

/** Just what the walk needs of a zod 4 schema. */
interface ZodLike {
  readonly _zod: { readonly def: Readonly<Record<string, unknown>> & { readonly type: string } };
  readonly description?: string | undefined;
}

export interface SchemaKey {
  /** Path as the docs write it: `wait`, `consul.ssl.ca_cert`, `templates[].source`, `services.*.max_removal`. */
  readonly key: string;
  readonly type: string;
  /** From the schema itself (`.describe()`), when given. */
  readonly description: string | undefined;
  /** A block (object, or list/map of objects) whose keys are listed under it. */
  readonly hasChildren: boolean;
}

const asZod = (value: unknown): ZodLike => value as ZodLike;

/** The schema under optional/default/nullable wrappers, with the first description met on the way. */
function unwrap(schema: ZodLike): { inner: ZodLike; description: string | undefined } {
  let inner = schema;
  let description = schema.description;
  for (;;) {
    const def = inner._zod.def;
    if (def.type !== 'optional' && def.type !== 'default' && def.type !== 'nullable' && def.type !== 'readonly') return { inner, description };
    inner = asZod(def.innerType);
    description ??= inner.description;
  }
}

/** Children reached through lists, maps and unions: `[]` for list items, `.*` for map values. */
function children(schema: ZodLike, prefix: string): { key: string; schema: ZodLike }[] {
  const { inner } = unwrap(schema);
  const def = inner._zod.def;
  switch (def.type) {
    case 'pipe':
      return children(asZod(def.in), prefix);
    case 'array':
      return children(asZod(def.element), `${prefix}[]`);
    case 'record':
      return children(asZod(def.valueType), `${prefix}.*`);
    case 'union':
      return (def.options as unknown[]).flatMap((o) => children(asZod(o), prefix));
    case 'object':
      return Object.entries(def.shape as Record<string, unknown>).map(([name, value]) => ({ key: prefix === '' ? name : `${prefix}.${name}`, schema: asZod(value) }));
    default:
      return [];
  }
}

/** A readable type: `string`, `duration`, `list of string`, `map of name → block`, `atomic \| in_place`. */
export function typeOf(schema: ZodLike): string {
  const { inner } = unwrap(schema);
  const def = inner._zod.def;
  switch (def.type) {
    case 'string':
      return 'string';
    case 'number': {
      const checks = (def.checks as { _zod: { def: { check: string; format?: string } } }[] | undefined) ?? [];
      return checks.some((c) => c._zod.def.format === 'safeint' || c._zod.def.check === 'number_format') ? 'integer' : 'number';
    }
    case 'int':
      return 'integer';
    case 'boolean':
      return 'boolean';
    case 'enum':
      return Object.values(def.entries as Record<string, string>).join(' | ');
    case 'literal':
      return (def.values as unknown[]).map((v) => JSON.stringify(v)).join(' | ');
    case 'pipe': {
      // Durations are declared as string-or-number piped into a transform (`30s`, or seconds).
      const from = typeOf(asZod(def.in));
      return from === 'string or number' ? 'duration' : from;
    }
    case 'union':
      return [...new Set((def.options as unknown[]).map((o) => typeOf(asZod(o))))].join(' or ');
    case 'array':
      return `list of ${typeOf(asZod(def.element))}`;
    case 'record':
      return `map of name → ${typeOf(asZod(def.valueType))}`;
    case 'object':
      return 'block';
    default:
      return def.type;
  }
}

/** Every key path of the schema, depth first, in declaration order (the order of the blocks in schema.ts). */
export function schemaKeys(root: unknown): SchemaKey[] {
  const out: SchemaKey[] = [];
  const visit = (entries: { key: string; schema: ZodLike }[]): void => {
    for (const { key, schema } of entries) {
      const below = children(schema, key);
      out.push({ key, type: typeOf(schema), description: unwrap(schema).description, hasChildren: below.length > 0 });
      visit(below);
    }
  };
  visit(children(asZod(root), ''));
  // A key reached through two union branches is listed once.
  const seen = new Set<string>();
  return out.filter((k) => (seen.has(k.key) ? false : (seen.add(k.key), true)));
}
