#!/usr/bin/env node
import { parseArgs } from './cli/parse.js';
import { loadConfig, type ConfigWarning, type FlagValues } from './config/load.js';
import type { Config } from './config/schema.js';
import { errorMessage, InputError } from './errors.js';
import { createLogger, type Logger } from './observe/log.js';
import type { Server } from 'node:http';
import { startHttp } from './observe/http.js';
import type { Metrics } from './observe/metrics.js';
import { SystemdNotifier } from './observe/systemd.js';
import { Runner } from './runner.js';
import { loadTemplates } from './template/unit.js';
import { validate } from './cli/validate.js';
import { removePidFile, writePidFile } from './cli/pid-file.js';
import { limitMemoryReducer } from './util/compact-heap.js';
import { HeapKeeper } from './util/heap-keeper.js';

/** A daemon's memory, given back after start-up and after large growth (does nothing on Node 20). */
const heapKeeper = new HeapKeeper();

/** What a consul-template config says that ctmpl reads differently or ignores: logged once per load. */
function logWarnings(logger: Logger, warnings: readonly ConfigWarning[]): void {
  for (const w of warnings) logger.warn({ where: w.where, ...(w.hint ? { hint: w.hint } : {}) }, w.message);
}

function printInputError(err: InputError): void {
  process.stderr.write(`ctmpl: error: ${err.describe()}\n`);
}

/** Starts a runner; on an input error it is stopped again and the error rethrown. */
async function startRunner(config: Config, logger: Logger, systemd?: SystemdNotifier, metrics?: Metrics): Promise<Runner> {
  let batches = 0;
  const runner = new Runner({
    config,
    logger,
    ...(metrics ? { metrics } : {}),
    onReady: () => {
      void systemd?.ready(`${config.templates.length} template(s) rendered; watching ${config.sources.map((s) => s.name).join(', ')}`);
      // The start-up burst is garbage now: give its memory back once the process has gone quiet.
      if (!config.once) heapKeeper.burstOver();
    },
    onBatch: (destinations) => {
      batches += 1;
      void systemd?.status(`${batches} change(s) applied; last: ${destinations.length} file(s) at ${new Date().toISOString()}`);
    },
  });
  try {
    await runner.start();
  } catch (err) {
    await runner.stop();
    throw err;
  }
  return runner;
}

/**
 * SIGHUP (or the reload signal): re-read config and templates. A new config that does not load or whose templates do
 * not compile is reported and the running one stays; otherwise the pipeline restarts on it
 * (unchanged files are not rewritten, so nothing reloads without reason).
 */
async function reload(current: Runner, flags: FlagValues, logger: Logger, signal: NodeJS.Signals, systemd?: SystemdNotifier, metrics?: Metrics): Promise<Runner> {
  let config: Config;
  const warnings: ConfigWarning[] = [];
  try {
    config = await loadConfig(flags, process.cwd(), { warnings });
    await loadTemplates(config.templates, config.partials);
  } catch (err) {
    logger.error({ err: errorMessage(err) }, `${signal}: new configuration rejected; keeping the running one`);
    return current;
  }
  logWarnings(logger, warnings);
  await current.stop();
  try {
    const next = await startRunner(config, logger, systemd, metrics);
    logger.info(`${signal}: configuration and templates reloaded`);
    return next;
  } catch (err) {
    logger.error({ err: errorMessage(err) }, `${signal}: new configuration failed to start; restarting the previous one`);
    return startRunner(current.configuration, logger, systemd, metrics);
  }
}

/** The PID file written at start, removed at exit whatever the exit. */
let pidFile: string | undefined;

async function main(argv: readonly string[]): Promise<number> {
  let flags: FlagValues;
  let config: Config;
  const warnings: ConfigWarning[] = [];
  try {
    // `ctmpl migrate …` has arguments and flags of its own (src/cli/migrate.ts reads them).
    if (argv[0] === 'migrate') return await (await import('./cli/migrate.js')).runMigrate(argv.slice(1));
    const parsed = parseArgs(argv);
    if (parsed.kind === 'exit') return parsed.code;
    if (parsed.kind === 'validate') {
      const report = await validate(parsed.flags);
      for (const w of report.warnings) process.stderr.write(`ctmpl: warning: ${w.where}: ${w.message}${w.hint ? `\n  hint: ${w.hint}` : ''}\n`);
      for (const note of report.notes) process.stderr.write(`ctmpl: note: ${note}\n`);
      for (const problem of report.problems) printInputError(problem);
      if (report.problems.length > 0) return 2;
      process.stdout.write(`ctmpl: ok: ${report.templates} template(s) and ${report.catalogs} catalog file(s) are valid\n`);
      return 0;
    }
    flags = parsed.flags;
    config = await loadConfig(flags, process.cwd(), { warnings });
    if (config.pidFile !== undefined) {
      await writePidFile(config.pidFile, flags.pidFile !== undefined ? '--pid-file' : 'pid_file');
      pidFile = config.pidFile;
    }
  } catch (err) {
    if (err instanceof InputError) {
      printInputError(err);
      return 2;
    }
    throw err;
  }
  const logger = createLogger(config.logLevel, config.dry, config.logFormat);
  logWarnings(logger, warnings);
  const systemd = config.once ? undefined : SystemdNotifier.fromEnv();
  if (!config.once) {
    limitMemoryReducer();
    heapKeeper.watch();
  }
  // prom-client (with its GC and event-loop observers) only when /metrics can be read: it costs
  // start-up time and CPU on every garbage collection.
  const metrics = config.listen ? new (await import('./observe/metrics.js')).Metrics() : undefined;
  let runner: Runner;
  let server: Server | undefined;
  try {
    runner = await startRunner(config, logger, systemd, metrics);
    if (config.listen && metrics) {
      server = await startHttp(config.listen, metrics, () => runner.status(), { sourceFailingMs: config.healthFailingAfterMs, templateGraceMs: config.healthGraceMs });
      logger.info({ listen: `${config.listen.host}:${config.listen.port}` }, 'serving /metrics, /healthz and /status');
    }
  } catch (err) {
    if (err instanceof InputError) {
      printInputError(err);
      return 2;
    }
    throw err;
  }

  if (config.once) {
    const code = await runner.done;
    await runner.stop();
    server?.close();
    return code;
  }

  // Signals are bound once, from the configuration ctmpl started with.
  const reloadSignal = config.reloadSignal ?? 'SIGHUP';
  const stopSignals = config.stopSignals ?? ['SIGTERM', 'SIGINT'];
  let reloading: Promise<void> = Promise.resolve();
  if (reloadSignal !== 'SIGHUP' && !stopSignals.includes('SIGHUP')) {
    // Without a listener SIGHUP would kill the process; consul-template ignores it too then.
    process.on('SIGHUP', () => logger.warn({ reloadSignal }, `SIGHUP ignored: the reload signal is ${reloadSignal}`));
  }
  process.on(reloadSignal, () => {
    reloading = reloading.then(async () => {
      try {
        runner = await reload(runner, flags, logger, reloadSignal, systemd, metrics);
      } catch (err) {
        // Neither the new nor the previous configuration starts (a file they need went away
        // meanwhile): nothing is running any more, so exit and let the supervisor restart ctmpl.
        logger.fatal({ err: errorMessage(err) }, `${reloadSignal}: the previous configuration failed to start again; exiting`);
        server?.close();
        if (pidFile !== undefined) removePidFile(pidFile);
        process.exit(1);
      }
    });
  });
  // The operator's release of instances held by the removal guard.
  process.on('SIGUSR1', () => {
    logger.warn('SIGUSR1: releasing held instances');
    runner.releaseHeld();
  });
  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals): void => {
      if (stopping) {
        logger.warn({ signal }, 'already stopping');
        return;
      }
      stopping = true;
      logger.info({ signal }, 'stopping');
      void systemd?.stopping();
      // In exec mode the same signal is passed on to the child.
      server?.close();
      void reloading.then(() => runner.stop(runner.configuration.exec?.killSignal ?? signal)).then(() => resolve(0));
    };
    // `on`, not `once`: execa's exit handler (signal-exit) re-raises a signal that no other
    // listener is left to handle, which would kill ctmpl in the middle of stopping (exec mode).
    for (const signal of stopSignals) process.on(signal, shutdown);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    if (pidFile !== undefined) removePidFile(pidFile);
    process.exit(code);
  },
  (err: unknown) => {
    if (pidFile !== undefined) removePidFile(pidFile);
    process.stderr.write(`ctmpl: fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
