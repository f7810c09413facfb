import type { Instance } from '../../catalog/types.js';
import { isHostAddress, joinHostPort, portText } from '../../util/address.js';
import type { ProbeSpec } from './settings.js';
import type { ProbeOutcome } from './state.js';

/** Where a probe goes: the instance's address and its (or the settings') port. */
export interface ProbeTarget {
  readonly address: string;
  readonly port: number;
}

/**
 * One probe. It must settle (never reject, though a rejection is counted as a failure) and, when
 * `signal` aborts — on timeout, on removal of the instance, on stop — destroy its socket at once.
 * The prober owns the timeout: it aborts `signal` after `spec.timeoutMs`. Used on its own, pass
 * `AbortSignal.timeout(ms)`.
 */
export type ProbeFunction = (target: ProbeTarget, spec: ProbeSpec, signal: AbortSignal) => Promise<ProbeOutcome>;

/** Service IDs are unique per node, not per cluster (the same key as the removal guard's). */
export const probeKey = (instance: Instance): string => `${instance.Node}/${instance.ID}`;

/** The target of an instance, or why it cannot be probed (catalog data is untrusted). */
export function probeTarget(instance: Instance, spec: ProbeSpec): { target: ProbeTarget } | { skip: string } {
  if (!isHostAddress(instance.Address)) return { skip: `not probed: ${JSON.stringify(instance.Address.slice(0, 80))} is not an address` };
  const port = spec.port ?? Number(portText(instance.Port) ?? 0);
  if (port === 0) return { skip: 'not probed: the instance has no port (give its probe settings a port)' };
  return { target: { address: instance.Address, port } };
}

export const targetText = (target: ProbeTarget): string => joinHostPort(target.address, target.port);

/** A socket or TLS error as short text: "connect ECONNREFUSED", "getaddrinfo ENOTFOUND". */
export function failureText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const { code, syscall } = err as NodeJS.ErrnoException;
  if (code !== undefined && syscall !== undefined) return `${syscall} ${code}`;
  if (code !== undefined) return err.message.includes(code) ? err.message : `${code}: ${err.message}`;
  return err.message;
}

export const failed = (error: string): ProbeOutcome => ({ ok: false, error });
export const PASSED: ProbeOutcome = Object.freeze({ ok: true });
