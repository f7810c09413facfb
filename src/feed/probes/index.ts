/** Consumer-side health probing: settings, the prober, and the fusion of its results into catalog data. */
export { parseProbeFlag, probeSettingsFrom, probeSettingsFromFlags, PROBE_FLAG_SYNTAX, type ProbeFlagEntry } from './flag.js';
export { fuseProbes, type FusedService, type ProbedInstance } from './fuse.js';
export { probeHttp, BODY_LIMIT } from './probe-http.js';
export { probeTcp } from './probe-tcp.js';
export { probeKey, probeTarget, type ProbeFunction, type ProbeTarget } from './probe.js';
export { Prober, type ProbeLogger, type ProberOptions, type ProbeStats, type ServiceProbeStats } from './prober.js';
export {
  ALL_SERVICES,
  DEFAULT_PROBE_CONCURRENCY,
  parseProbeConcurrency,
  probeKeys,
  mergeProbeSettings,
  NO_PROBES,
  PROBE_DEFAULTS,
  probeEntrySchema,
  probesFileSchema,
  probeSpecFor,
  type HttpProbeSpec,
  type ProbeEntry,
  type ProbeSettings,
  type ProbeSpec,
  type ProbeType,
} from './settings.js';
export { initialProbeState, nextProbeState, probeView, type ProbeOutcome, type ProbeRule, type ProbeState, type ProbeStatus, type ProbeView, type Transition } from './state.js';
