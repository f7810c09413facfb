import * as z from 'zod';
import type { BlockContext } from '../config/block.js';
import { InputError } from '../errors.js';
import type { SourceConfig } from '../registries/settings.js';
import { DEFAULT_PROBE_CONCURRENCY, parseProbeConcurrency, probeKeys, probeSettingsFrom, type ProbeSettings } from './probes/index.js';

/** Sources whose instances may have any address, not only an IP or a host name (an operator's choice for a registry it controls). */
export const feedKeys = {
  relaxed_validation: z.array(z.string().trim().min(1, 'must not be empty')).optional(),
  ...probeKeys,
};

export interface ProbeConfig {
  /** Probed services (off unless configured). */
  readonly probes: ProbeSettings;
  /** Most probes in flight at once. */
  readonly probeConcurrency: number;
}

/** Consumer-side probing: the `probes` block with `--probe` flags over it (a service's flag replaces its entry). */
export function probesFrom({ flags, file }: BlockContext): ProbeConfig {
  return {
    probes: probeSettingsFrom(file.probes, flags.probe),
    probeConcurrency: flags.probeConcurrency !== undefined ? parseProbeConcurrency(flags.probeConcurrency) : (file.probe_concurrency ?? DEFAULT_PROBE_CONCURRENCY),
  };
}

/** Sources named for relaxed validation must exist (a typo would silently keep the rules on). */
export function relaxedSourcesFrom({ flags, file, at }: BlockContext, sources: readonly SourceConfig[]): string[] {
  const check = (name: string, what: string): string => {
    if (!sources.some((s) => s.name === name)) throw new InputError(`${what} "${name}" names no configured source`, undefined, `configured sources: ${sources.map((s) => s.name).join(', ')}`);
    return name;
  };
  return [
    ...(file.relaxed_validation ?? []).map((name, i) => at.key(['relaxed_validation', i], (what) => check(name, what))),
    ...(flags.relaxedValidation ?? []).map((name) => check(name, '--relaxed-validation')),
  ];
}
