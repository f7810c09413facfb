import type { DependencyValue, Dependency } from '../../src/catalog/types.js';
import type { ConsulClient } from '../../src/registries/consul/client.js';
import { DedupHub, type DedupSettings } from '../../src/registries/consul/dedup/hub.js';
import type { DedupSource } from '../../src/registries/consul/dedup/source.js';
import { FakeSource } from './fake-source.js';
import { captureLog } from './log-capture.js';
import type { ScriptedConsulKv } from './scripted-consul-kv.js';
import { registerCleanup } from './tmp.js';

export const DEDUP_SETTINGS: DedupSettings = { prefix: 'ctmpl/dedup/', identity: 'templates-1', sessionTtlSeconds: 10, lockDelaySeconds: 0, blockWaitMs: 2000 };
export const LOCK_KEY = `${DEDUP_SETTINGS.prefix}${DEDUP_SETTINGS.identity}/lock`;
export const DATA_KEY = `${DEDUP_SETTINGS.prefix}${DEDUP_SETTINGS.identity}/data`;

/** One ctmpl instance in dedup mode: its hub, its real (fake) source, the source as wrapped, and what reached its feed. */
export interface DedupInstance {
  readonly hub: DedupHub;
  readonly inner: FakeSource;
  readonly source: DedupSource;
  readonly received: { dep: Dependency; value: DependencyValue }[];
  readonly log: ReturnType<typeof captureLog>;
}

/**
 * Builds an instance the way the runner does (wrap, start the source, then start the hub), on a
 * shared scripted Consul. `watching` are watched before the hub starts. Stopped when the test ends.
 */
export async function dedupInstance(kv: ScriptedConsulKv, watching: readonly Dependency[] = [], options: { start?: boolean } = {}): Promise<DedupInstance> {
  const log = captureLog();
  // DedupHub types its client as the ConsulClient class; the script has every method it calls.
  const hub = new DedupHub(kv.client() as unknown as ConsulClient, DEDUP_SETTINGS, log.log);
  const inner = new FakeSource('consul');
  const source = hub.wrap(inner);
  const received: DedupInstance['received'] = [];
  await source.start({ data: (dep, value) => void received.push({ dep, value }), error: () => undefined, info: () => undefined, warn: () => undefined });
  for (const dep of watching) source.watch(dep);
  registerCleanup(() => hub.stop());
  if (options.start ?? true) await hub.start();
  return { hub, inner, source, received, log };
}
