import * as z from 'zod';
import { commandKeys, type CommandSettings } from '../actions/settings.js';
import { execKeys, type ExecSettings } from '../actions/exec-settings.js';
import { feedKeys, type ProbeConfig } from '../feed/settings.js';
import { guardKeys } from '../feed/guards/settings.js';
import type { GuardSettings } from '../feed/guards/guards.js';
import { loggingKeys, observeKeys, type LoggingSettings, type ObserveSettings } from '../observe/settings.js';
import { dedupKeys, type DedupConfig } from '../registries/dedup.js';
import { sourcesKeys, type SourceConfig } from '../registries/settings.js';
import { waitKeys } from '../schedule/settings.js';
import { templatesKeys, type TemplateConfig } from '../template/settings.js';
import type { WaitSpec } from './duration.js';

/**
 * The config file as written by the operator (snake_case keys, as consul-template's), assembled
 * from the blocks: each block's keys are declared next to the code it configures.
 */
export const configFileSchema = z.strictObject({
  ...sourcesKeys,
  ...templatesKeys,
  ...waitKeys,
  ...feedKeys,
  ...guardKeys,
  ...commandKeys,
  ...execKeys,
  ...dedupKeys,
  ...observeKeys,
  ...loggingKeys,
});

export type ConfigFile = z.output<typeof configFileSchema>;

export type { DedupConfig, ExecSettings, SourceConfig, TemplateConfig };

/** Everything the pipeline needs, after flags, config file and defaults are merged. */
export interface Config extends CommandSettings, ObserveSettings, LoggingSettings, ProbeConfig {
  readonly sources: readonly SourceConfig[];
  readonly templates: readonly TemplateConfig[];
  readonly wait: WaitSpec;
  readonly once: boolean;
  readonly dry: boolean;
  readonly guards: GuardSettings;
  /** Sources whose instances may have any address (unix sockets…); control characters are refused from every source. */
  readonly relaxedSources: readonly string[];
  /** When set, the `env` helper reads only these variables. */
  readonly envAllow: readonly string[] | undefined;
  /** The directory of partials templates include (`{{> name}}`). */
  readonly partials: string | undefined;
  readonly exec: ExecSettings | undefined;
  /** Dedup mode: one leader per template set watches the registry and publishes for the others. */
  readonly dedup: DedupConfig | undefined;
}
