import type { z } from 'zod';
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

/** A file a source's settings name, checked when the config loads (reported against the URI's flag or key). */
export interface FileCheck {
  readonly path: string;
  /** `secret`: read through the secret-file reader too (an empty file is an error). */
  readonly kind: 'file' | 'directory' | 'secret';
  /** "the Consul CA certificate", "the etcd password". */
  readonly describe: string;
  /** The config key (inside the registry's block) or flag that named it, when not the URI itself. */
  readonly origin?: { readonly key: readonly (string | number)[]; readonly flag: string | undefined };
}

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
  files?(shared: Shared): readonly FileCheck[];
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
}
