import type { WaitSpec } from './duration.js';

/**
 * Every default of the pipeline, in one place (a registry's own connection defaults live in its
 * folder). The README and the generated reference quote these.
 */
export const DEFAULTS = {
  /** Quiescence: a burst of changes becomes one render and one reload. */
  wait: { minMs: 1000, maxMs: 5000 } satisfies WaitSpec,
  commandTimeoutMs: 30_000,
  /** Removal guard: at most this share of a service goes at once. */
  maxRemovalPct: 20,
  holdMaxMs: 5 * 60_000,
  /** Flap damping: more than 5 changes within 30 s damp a service. */
  flap: '5/30s',
  healthFailingAfterMs: 60_000,
  /** A file not current (write or reload failed, file missing) this long makes /healthz unhealthy. */
  healthGraceMs: 30_000,
  /** How often rendered files are looked for (a deleted one is written again). */
  fileCheckMs: 10_000,
  splayMs: 0,
  minReloadIntervalMs: 0,
  logLevel: 'info',
  exec: { reloadSignal: 'SIGHUP', killTimeoutMs: 30_000, splayMs: 0, restartBackoffMaxMs: 60_000 },
  dedup: { prefix: 'ctmpl/dedup/', sessionTtlSeconds: 15, lockDelaySeconds: 15 },
  /** A failed reload's files are rendered and reloaded again after this, doubling up to the cap. */
  retry: { firstMs: 10_000, maxMs: 5 * 60_000 },
  /** A template still without data this long gets a warning naming what it waits for. */
  noDataWarningMs: 30_000,
} as const;
