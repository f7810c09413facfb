import { obtainTool } from './programs.js';

/**
 * Before the integration tests: make sure the pinned Consul binary exists (built once through
 * the Go module proxy, then cached), so no test spends its own timeout building it.
 */
export default function setup(): void {
  obtainTool('consul');
}
