import { obtainTool } from './programs.js';

/**
 * Before the integration tests: make sure the pinned Consul and consul-template binaries exist
 * (built once through the Go module proxy, then cached), so no test spends its own timeout
 * building them.
 */
export default function setup(): void {
  obtainTool('consul');
  obtainTool('consul-template');
}
