import { CommandRunner } from '../actions/command.js';
import { Reloader } from '../actions/reload.js';
import { DEFAULTS } from '../config/defaults.js';
import type { Config } from '../config/schema.js';
import { CatalogFeed } from '../feed/feed.js';
import { Guards } from '../feed/guards/guards.js';
import { createProbeStage, type ProbeStage } from '../feed/probe-stage.js';
import { CatalogScreen } from '../feed/screen.js';
import { Subscriptions } from '../feed/subscriptions.js';
import type { Logger } from '../observe/log.js';
import type { Metrics } from '../observe/metrics.js';
import { OutputStep } from '../output/output-step.js';
import type { Source } from '../registries/source.js';
import type { Clock } from '../util/clock.js';
import { OnceTracker } from './once.js';
import { WaitingReporter } from './waiting.js';

/** The stages a runner wires together, each built from the configuration. */
export interface Stages {
  readonly feed: CatalogFeed;
  readonly probes: ProbeStage | undefined;
  readonly subscriptions: Subscriptions;
  readonly commands: CommandRunner;
  readonly reloader: Reloader;
  readonly output: OutputStep;
  readonly once: OnceTracker | undefined;
  readonly waiting: WaitingReporter;
}

export interface StageContext {
  readonly config: Config;
  readonly log: Logger;
  readonly metrics: Metrics | undefined;
  readonly clock: Clock;
  /** The running sources, by name (filled when they start). */
  readonly sources: ReadonlyMap<string, Source>;
  readonly dryOutput: NodeJS.WritableStream;
  /** What templates see of dependency `id` changed (damped wait while its service flaps). */
  onChange(id: string, dampedWaitMs: number | undefined): void;
}

/** Builds the feed (screen, probes, guards, store), the subscriptions, the output step and the actions. */
export function buildStages({ config, log, metrics, clock, sources, dryOutput, onChange }: StageContext): Stages {
  // A probe's verdict re-decides its service in the feed (called only once both exist).
  const probes = createProbeStage(config, log, metrics, clock, (service) => feed.reprobe(service));
  const feed = new CatalogFeed({
    screen: new CatalogScreen(new Set(config.relaxedSources), log, metrics),
    guards: new Guards(config.guards, log, metrics),
    ...(probes ? { probes } : {}),
    dampedWaitMs: config.guards.flap?.dampedWaitMs,
    clock,
    onChange,
  });
  const commands = new CommandRunner();
  return {
    feed,
    probes,
    subscriptions: new Subscriptions(sources, (id) => feed.forget(id), log),
    commands,
    reloader: new Reloader(commands, { command: config.command, timeoutMs: config.commandTimeoutMs, splayMs: config.splayMs, minIntervalMs: config.minReloadIntervalMs }, log, undefined, metrics),
    output: new OutputStep({ dry: config.dry, dryOutput, commandTimeoutMs: config.commandTimeoutMs }, commands, log, metrics),
    once: config.once ? new OnceTracker(log, config.dry) : undefined,
    waiting: new WaitingReporter(log, clock, DEFAULTS.noDataWarningMs, (id) => feed.has(id)),
  };
}
