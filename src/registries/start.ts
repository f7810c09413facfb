import { errorMessage } from '../errors.js';
import type { Deduplicator, RegistryLog } from './definition.js';
import { registryNamed } from './list.js';
import type { SourceConfig } from './settings.js';
import type { Source, SourceSink } from './source.js';

export interface StartSources {
  readonly watch: boolean;
  /** Builds a source; tests pass scripted ones. */
  readonly create?: (config: SourceConfig, options: { watch: boolean }) => Source | Promise<Source>;
  readonly dedup: Deduplicator | undefined;
  readonly log: RegistryLog;
  /** Answers, for the feed. */
  readonly data: SourceSink['data'];
  /** A source reported a problem (after it is logged). */
  problem(source: string): void;
}

/**
 * Builds every configured source (through dedup when on) and starts it, in order; a source's
 * problems and recoveries are logged with its name. Throws InputError when a source's own input
 * is invalid (an unreadable catalog), before anything is written.
 */
export async function startSources(configs: readonly SourceConfig[], into: Map<string, Source>, options: StartSources): Promise<void> {
  const create = options.create ?? ((config: SourceConfig, opts: { watch: boolean }) => registryNamed(config.registry).create(config.name, config.settings, opts));
  for (const config of configs) {
    const source = await create(config, { watch: options.watch });
    into.set(config.name, options.dedup ? options.dedup.wrap(source) : source);
  }
  const { log } = options;
  for (const source of into.values()) {
    await source.start({
      data: options.data,
      error: (message, err) => {
        log.error({ source: source.name, err: err === undefined ? undefined : errorMessage(err) }, message);
        options.problem(source.name);
      },
      info: (message) => log.info({ source: source.name }, message),
      warn: (message) => log.warn({ source: source.name }, message),
    });
    log.info({ source: source.name, uri: source.description }, 'source started');
  }
}
