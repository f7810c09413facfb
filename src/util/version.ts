import { createRequire } from 'node:module';

/** ctmpl's version: package.json sits two levels above src/util/ when run from source, three above dist/src/util/ when built. */
export function packageVersion(): string {
  const require = createRequire(import.meta.url);
  for (const candidate of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = require(candidate) as { name?: string; version?: string };
      if (pkg.name === 'ctmpl' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return 'unknown';
}
