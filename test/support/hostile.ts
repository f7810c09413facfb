/**
 * Hostile catalog data for the security tests: fast-check generators of strings that try to break
 * out of a config line (newlines, `;`, braces, `#`, quotes, NUL, `$`, backslashes, unicode, very
 * long values), catalogs built from them for the static catalog file and for a Consul-shaped
 * source, and an oracle that says what should be rendered.
 *
 * The oracle is written from the README, never from src/: "Security" (the rules applied at the
 * source edge) and "Catalog file" (the static catalog's own schema). Where the README leaves a
 * value's fate open, the generators do not produce that value (see AVOIDED in hostile-rules.ts), so every
 * expectation here follows from a documented rule.
 *
 * The parts: hostile-rules.ts (the README's rules, the oracle), hostile-values.ts (generators of
 * values), hostile-file-catalog.ts and hostile-consul-catalog.ts (catalogs built from them),
 * hostile-output.ts (checkers of rendered output), hostile-report.ts (counterexamples, tallies).
 */
export * from './hostile-rules.js';
export * from './hostile-values.js';
export * from './hostile-file-catalog.js';
export * from './hostile-consul-catalog.js';
export * from './hostile-output.js';
export * from './hostile-report.js';
