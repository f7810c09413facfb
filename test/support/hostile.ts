/**
 * Catalog data for the security tests: fast-check generators of real-world values (Fabio and
 * Traefik tags, names with spaces, dots, `=`, `/`, backticks, unicode, case variants) and of
 * strings that try to break out of a config line (newlines, `;`, braces, `#`, quotes, NUL, `$`,
 * backslashes), catalogs built from them for the static catalog file and for a Consul-shaped
 * source, and an oracle that says what should be rendered.
 *
 * The oracle is written from docs/security.md, never from src/: "What reaches templates" (what is
 * refused and what passes), "Names that differ only in case", "Names in configs" (nginxName,
 * haproxyName) and "Static catalog files". What the docs list as a limit is not generated (see
 * AVOIDED in hostile-rules.ts), so every expectation follows from a documented rule.
 *
 * The parts: hostile-rules.ts (the oracle), hostile-values.ts (generators of values),
 * hostile-file-catalog.ts and hostile-consul-catalog.ts (catalogs built from them),
 * hostile-output.ts (checkers of rendered output), hostile-report.ts (counterexamples, tallies),
 * hostile-run.ts (one catalog through ctmpl and the real proxies; not re-exported here, as it
 * needs vitest).
 */
export * from './hostile-rules.js';
export * from './hostile-values.js';
export * from './hostile-file-catalog.js';
export * from './hostile-consul-catalog.js';
export * from './hostile-output.js';
export * from './hostile-report.js';
