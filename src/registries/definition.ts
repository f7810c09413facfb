import type * as z from 'zod';
import type { Source } from './source.js';

/** What a registry can answer; template helpers build unions and refuse impossible questions from it. */
export interface RegistryCapabilities {
  /** Answers `(service …)`. */
  readonly services: boolean;
  /** Lists its services: `(services)`. */
  readonly listing: boolean;
  /** Keys and values: `key`, `keyOrDefault`, `keyExists`, `ls`, `tree`. */
  readonly keys: boolean;
  /**
   * Service names contain dots (Dubbo interfaces `com.example.Greeter`, SRV names
   * `_http._tcp.web.example`): the whole string is the name; a tag is given with `tag=` only.
   */
  readonly dottedNames: boolean;
  /** Hash options of `(service …)` the registry evaluates itself (`near`, `filter`, `nodeMeta` for Consul). */
  readonly queryOptions: readonly string[];
  /** Nodes of the catalog: `(nodes)`, `(node)`, `(datacenters)`. */
  readonly nodes: boolean;
}

/** A source URI split at its scheme: `consul+https://h:8501` → `consul+https`, `//h:8501`. */
export interface SourceUri {
  /** Lower-cased scheme as written. */
  readonly scheme: string;
  /** What follows `scheme:`. */
  readonly rest: string;
}

/** Everything a registry's URI parser may use. */
export interface ParseContext<Shared> {
  /** Directory that relative paths in the URI resolve against (the config file's, or the working directory). */
  readonly baseDir: string;
  /** The flag or config key the URI came from: every error message leads with it. */
  readonly what: string;
  readonly env: NodeJS.ProcessEnv;
  /** The registry's shared settings (its config block and flags merged), when it has a block. */
  readonly shared: Shared;
}

/** Where a path came from when not from the source URI: a flag, or a key inside the registry's block. */
export interface BlockOrigin {
  readonly key: readonly string[];
  readonly flag: string | undefined;
}

/**
 * A file the settings name, checked when the config loads and reported against the flag or key
 * that named it: a file or directory that must exist, or a secret that is read now (through
 * src/util/secret-file.ts) so a SIGHUP with a broken one is refused while the sources stay up.
 */
export type FileCheck =
  | { readonly kind: 'file' | 'directory'; readonly path: string; readonly describe: string; readonly origin?: BlockOrigin }
  | { readonly kind: 'secret'; read(): void; readonly origin?: BlockOrigin };

/** A command-line flag that sets a key of a registry's block (`--consul-addr` → `consul.address`). */
export interface BlockFlag {
  /** commander syntax: `--consul-addr <address>`, `--consistent`. */
  readonly flags: string;
  readonly help: string;
  /** Path of the key it sets, inside the block. */
  readonly key: readonly string[];
  /** Allowed values (commander choices); a `true`/`false` choice is stored as a boolean. */
  readonly choices?: readonly string[];
}

/** Reads a key of the block with its origin: the flag when given (it wins), else the config key. */
export interface BlockReader {
  /** The value at `key` (flag first), parsed by `parse`; errors name the flag or the key at file:line:col. */
  get<T>(key: readonly string[], parse: (value: unknown, name: string) => T): T | undefined;
  /** The directory a path at `key` is relative to (working directory for a flag, the file's for a key). */
  baseDirOf(key: readonly string[]): string;
  /** The flag that gave `key`, if a flag did. */
  flagOf(key: readonly string[]): string | undefined;
}

/** Settings shared by every source of one registry: a config-file block and the flags that set its keys. */
export interface SharedBlock<Shared> {
  /** Key of the block in the config file (`consul`). */
  readonly key: string;
  readonly schema: z.ZodType;
  readonly flags: readonly BlockFlag[];
  resolve(block: BlockReader, env: NodeJS.ProcessEnv): Shared;
  /** Files the block names (token, TLS), checked only when a source of this registry is configured. */
  files?(shared: Shared, block: BlockReader): readonly FileCheck[];
}

/** Dedup mode's settings (the `dedup` block), registry-independent. */
export interface DedupOptions {
  readonly prefix: string;
  /** Hash of the templates and source names: instances with the same identity share one leader. */
  readonly identity: string;
  readonly sessionTtlSeconds: number;
  readonly lockDelaySeconds: number;
}

/** A fleet sharing one set of watches: the leader watches and publishes, the others follow. */
export interface Deduplicator {
  /** Wraps a source so that followers answer from the leader's published data. */
  wrap(source: Source): Source;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** What a log needs to offer a registry's long-running helpers. */
export interface RegistryLog {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface SourceOptions {
  /** Whether the source keeps watching for changes (false in --once). */
  readonly watch: boolean;
}

/**
 * One registry: everything the rest of ctmpl needs to know about it. A registry is one folder
 * exporting one of these, and one line in the registry list; nothing else names it.
 */
export interface RegistryDefinition<Settings = unknown, Shared = unknown> {
  /** Name used in docs and logs (`consul`). */
  readonly name: string;
  /** URI schemes it answers to (`consul`, `consul+http`, `consul+https`). */
  readonly schemes: readonly string[];
  /** `consul://HOST:PORT` — shown in --help and error hints. */
  readonly syntax: string;
  readonly capabilities: RegistryCapabilities;
  /** Registry-wide settings (the `consul {}` block and its flags), when the registry has any. */
  readonly shared?: SharedBlock<Shared>;
  /** Parses and checks a source URI; throws InputError naming `context.what`. */
  parse(uri: SourceUri, context: ParseContext<Shared>): Settings;
  /** Files named by the settings (credentials, TLS): checked, and secrets read, at load. */
  files?(settings: Settings): readonly FileCheck[];
  /** For logs and /status, never holding a credential. */
  describe(settings: Settings): string;
  /** Builds the source; heavy client libraries are imported here, so unused registries cost nothing at start-up. */
  create(name: string, settings: Settings, options: SourceOptions): Promise<Source>;
  /** A deeper offline check for `ctmpl validate` (a catalog file parsed); contacts nothing. */
  check?(settings: Settings): Promise<void>;
  /** Dedup mode, for registries that can hold locks (Consul's sessions and KV). */
  dedup?(settings: Settings, options: DedupOptions, log: RegistryLog): Promise<Deduplicator>;
}
