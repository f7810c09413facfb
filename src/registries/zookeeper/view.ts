/**
 * What ZooKeeper says about one service (or about the list of services). Kept apart because the
 * source, which shares it between every dependency on that service, and the layout reader, which
 * fills it in, both need its shape.
 */
import type { Instance } from '../../catalog/types.js';

/** A service (or the list of services) read from ZooKeeper, shared by every query on it. */
export interface View {
  readonly key: string;
  /** Service name, or undefined for the list of services. */
  readonly service: string | undefined;
  loaded: boolean;
  instances: readonly Instance[];
  names: readonly string[];
  running: boolean;
  dirty: boolean;
}
