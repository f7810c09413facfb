import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Before the integration tests: make sure the pinned Consul binary exists (built once through
 * the Go module proxy, then cached), so no test spends its own timeout building it.
 */
export default function setup(): void {
  if (process.env.CONSUL_BIN) return;
  execFileSync('bash', [fileURLToPath(new URL('./obtain-tools.sh', import.meta.url)), 'consul'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
