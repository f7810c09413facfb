#!/usr/bin/env node
import { parseArgs } from './cli/parse.js';
import { loadConfig, type FlagValues } from './config/load.js';
import type { Config } from './config/schema.js';
import { errorMessage, InputError } from './errors.js';
import { createLogger, type Logger } from './observe/log.js';
import type { Server } from 'node:http';
import { startHttp } from './observe/http.js';
import type { Metrics } from './observe/metrics.js';
import { SystemdNotifier } from './observe/systemd.js';
import { Runner } from './runner.js';
import { TemplateUnit } from './template/unit.js';
import { validate } from './cli/validate.js';

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
    onReady: () => void systemd?.ready(`${config.templates.length} template(s) rendered; watching ${config.sources.map((s) => s.name).join(', ')}`),
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
 * SIGHUP: re-read config and templates. A new config that does not load or whose templates do
 * not compile is reported and the running one stays; otherwise the pipeline restarts on it
 * (unchanged files are not rewritten, so nothing reloads without reason).
 */
async function reload(current: Runner, flags: FlagValues, logger: Logger, systemd?: SystemdNotifier, metrics?: Metrics): Promise<Runner> {
  let config: Config;
  try {
    config = await loadConfig(flags);
    for (const template of config.templates) await TemplateUnit.load(template);
  } catch (err) {
    logger.error({ err: errorMessage(err) }, 'SIGHUP: new configuration rejected; keeping the running one');
    return current;
  }
  await current.stop();
  try {
    const next = await startRunner(config, logger, systemd, metrics);
    logger.info('SIGHUP: configuration and templates reloaded');
    return next;
  } catch (err) {
    logger.error({ err: errorMessage(err) }, 'SIGHUP: new configuration failed to start; restarting the previous one');
    return startRunner(current.configuration, logger, systemd, metrics);
  }
}

async function main(argv: readonly string[]): Promise<number> {
  let flags: FlagValues;
  let config: Config;
  try {
    const parsed = parseArgs(argv);
    if (parsed.kind === 'exit') return parsed.code;
    if (parsed.kind === 'validate') {
      const report = await validate(parsed.flags);
      for (const problem of report.problems) printInputError(problem);
      if (report.problems.length > 0) return 2;
      process.stdout.write(`ctmpl: ok: ${report.templates} template(s) and ${report.catalogs} catalog file(s) are valid\n`);
      return 0;
    }
    flags = parsed.flags;
    config = await loadConfig(flags);
  } catch (err) {
    if (err instanceof InputError) {
      printInputError(err);
      return 2;
    }
    throw err;
  }
  const logger = createLogger(config.logLevel, config.dry, config.logFormat);
  const systemd = config.once ? undefined : SystemdNotifier.fromEnv();
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

  let reloading: Promise<void> = Promise.resolve();
  process.on('SIGHUP', () => {
    reloading = reloading.then(async () => {
      try {
        runner = await reload(runner, flags, logger, systemd, metrics);
      } catch (err) {
        // Neither the new nor the previous configuration starts (a file they need went away
        // meanwhile): nothing is running any more, so exit and let the supervisor restart ctmpl.
        logger.fatal({ err: errorMessage(err) }, 'SIGHUP: the previous configuration failed to start again; exiting');
        server?.close();
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
    const shutdown = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, 'stopping');
      void systemd?.stopping();
      // In exec mode the same signal is passed on to the child.
      server?.close();
      void reloading.then(() => runner.stop(signal)).then(() => resolve(0));
    };
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`ctmpl: fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
