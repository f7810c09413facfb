import { DEFAULTS } from '../../src/config/defaults.js';
import { interfaceSections, interfaceTree, type InterfaceDoc } from './interfaces.js';
import { banner, duration, page } from './markdown.js';
import { SourceReader } from './ts-source.js';

/** Where /status's shape is declared: the interface `startHttp` serves as JSON. */
const STATUS_FILE = 'src/observe/status.ts';
const STATUS_TYPE = 'PipelineStatus';

/**
 * Fields whose declared type is too loose to document (`Record<string, unknown>`): the interface
 * their values really have, as the code that fills them builds it. Used only while the declared
 * type still says `unknown`.
 */
const LOOSE_FIELDS: Readonly<Record<string, { readonly path: string; readonly name: string; readonly type: string }>> = {
  'PipelineStatus.guards': { path: 'src/feed/guards/guards.ts', name: 'GuardStatus', type: 'map of dependency id → GuardStatus' },
};

/**
 * What a field means, for fields without a doc comment in the code. The reference test fails when
 * a field has neither, or when a note names a field that no longer exists.
 */
export const FIELD_NOTES: Readonly<Record<string, string>> = {
  'PipelineStatus.templates': 'every template, in configuration order',
  'PipelineStatus.sources': 'every configured source',
  'PipelineStatus.dependencies': 'the dependencies (registry queries) watched now, as ids such as `file:service(web|passing)`',
  'PipelineStatus.guards': "the guards' view of each service query, by dependency id (what `(serviceStatus …)` shows a template)",
  'PipelineStatus.probes entry.instances': 'instances of the service being probed',
  'PipelineStatus.probes entry.down': 'of these, the ones this host finds down',
  'PipelineStatus.probes entry.panic': 'true while so many look down that probes mark none down (see probes.md, Panic)',
  'PipelineStatus.probes entry.probes': 'probes sent since start',
  'PipelineStatus.probes entry.failures': 'probes that failed since start',
  'TemplateStatus.current': 'whether the file holds its last render and the command loaded it',
  'TemplateStatus.lastWrite': 'the last write of the destination, absent before the first',
  'TemplateStatus.lastCheck': 'the last check of a staged file, absent when none ran',
  'TemplateStatus.lastCommand': 'the last command run for it, absent when none ran',
  'TemplateStatus.retry': 'set while a rolled-back or failed template waits for its retry',
  'TemplateStatus.rollbacks': 'how often a failed reload rolled its file back since start',
  'TemplateHealthView.notCurrent entry.reason': 'why the file is not current',
  'TemplateHealthView.notCurrent entry.since': 'since when (ISO 8601); the grace of /healthz counts from then',
  'TemplateHealthView.lastWrite entry.at': 'when (ISO 8601)',
  'TemplateHealthView.lastWrite entry.outcome': '`written`, `unchanged` (same content, nothing written), `dry` (--dry) or `failed`',
  'TemplateHealthView.lastWrite entry.error': 'why it failed',
  'TemplateHealthView.lastCheck entry.at': 'when (ISO 8601)',
  'TemplateHealthView.lastCheck entry.ok': 'whether the check command accepted the staged file',
  'TemplateHealthView.lastCheck entry.error': "the check's error output",
  'TemplateHealthView.lastCommand entry.at': 'when (ISO 8601)',
  'TemplateHealthView.lastCommand entry.command': 'the command as configured',
  'TemplateHealthView.lastCommand entry.ok': 'whether it succeeded',
  'TemplateHealthView.lastCommand entry.exitCode': 'its exit code; absent when it was killed',
  'TemplateHealthView.lastCommand entry.timedOut': 'whether --command-timeout killed it',
  'TemplateHealthView.retry entry.attempts': 'retries made so far',
  'TemplateHealthView.retry entry.nextAt': 'when the next one runs (ISO 8601)',
  'TemplateStatus.source': 'the template file (absolute path)',
  'TemplateStatus.destination': 'the file it writes (absolute path)',
  'TemplateStatus.rendered': 'whether it has had a complete render since start',
  'TemplateStatus.lastRenderAt': 'time of the last complete render (ISO 8601, UTC); absent before the first',
  'TemplateStatus.waitingFor': 'dependencies it waits for before it can render (empty once rendered)',
  'TemplateStatus.lastError': 'the last render, write or check error; absent when there was none',
  'SourceStatus.name': 'the source name templates use with `source=`',
  'SourceStatus.description': 'the source URI without credentials',
  'SourceStatus.failing': 'true while any problem of the source is open',
  'SourceStatus.failingForMs': 'milliseconds since its oldest open problem started; 0 when healthy',
  'SourceStatus.problems': 'its open problems',
  'SourceStatus.requests': 'requests sent to the registry since start',
  'SourceStatus.failures': 'failed requests since start',
  'ProblemView.problem': 'what is wrong, in words without volatile parts (one entry per distinct problem, however often it recurs)',
  'ProblemView.subjects': 'what it affects: dependency ids, or `connection` for the whole source',
  'ProblemView.since': 'when it started (milliseconds since the Unix epoch)',
  'GuardStatus.Healthy': 'instances templates see as healthy (a number, as text)',
  'GuardStatus.Held': 'instances the removal or empty guard holds (a number, as text)',
  'GuardStatus.Filtered': 'instances the allowlist refused (a number, as text)',
  'GuardStatus.Damped': '"true" while flap damping slows the service down',
};

/** PipelineStatus and every interface it reaches. */
export function statusInterfaces(root: string): InterfaceDoc[] {
  return interfaceTree(root, STATUS_FILE, STATUS_TYPE, { looseFields: LOOSE_FIELDS });
}

export function statusPage(root: string): string {
  const interfaces = statusInterfaces(root);
  return page([
    banner('/status and /healthz', [`${STATUS_FILE} (${STATUS_TYPE} and the types it uses)`, 'src/observe/http.ts']),
    [
      'Both are served with `/metrics` when `--listen HOST:PORT` (config `listen`) is set. They answer',
      '`GET` and `HEAD`; anything else gets 405, an unknown path 404 with the list of endpoints.',
      'An annotated example and how to use them: [operations/status.md](../operations/status.md).',
    ].join('\n'),
    '## /healthz',
    [
      '`200 {"status": "ok"}`, or `503 {"status": "unhealthy", "reasons": […]}` with one reason per',
      `problem. The rule, in the code's own words: ${(new SourceReader(root).functionDoc(STATUS_FILE, 'healthVerdict') ?? '(undocumented)').replace(/^\/healthz:\s*/, '')}`,
      `"Too long" for a source is \`--health-failing-after\` (config \`health_failing_after\`, default ${duration(DEFAULTS.healthFailingAfterMs)}).`,
    ].join('\n'),
    '## /status',
    [
      `\`200\`, a JSON object (indented by two spaces): \`${STATUS_TYPE}\` below. Fields marked *optional*`,
      'are left out of the JSON when they have no value. No field ever holds a credential.',
    ].join('\n'),
    ...interfaceSections(interfaces, FIELD_NOTES),
  ]);
}
