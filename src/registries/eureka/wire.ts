import * as z from 'zod';

/**
 * Eureka's JSON (`GET {context}/apps` and `/apps/delta` with `Accept: application/json`), read
 * tolerantly: the Jackson codec of current servers writes lists and numbers, the older Jettison
 * one writes a single instance (or application) as an object instead of a one-element list and
 * numbers as strings. Values are untrusted: everything becomes text here.
 *
 *   {"applications": {"versions__delta": "1", "apps__hashcode": "UP_2_", "application": [
 *     {"name": "WEB", "instance": [{"instanceId": "h1:web:8080", "app": "WEB", "ipAddr": "10.0.0.1",
 *       "status": "UP", "port": {"$": 8080, "@enabled": "true"}, "securePort": {...},
 *       "vipAddress": "web", "dataCenterInfo": {"name": "MyOwn"}, "metadata": {...},
 *       "actionType": "ADDED"}]}]}}
 */

/** Eureka's instance statuses (InstanceInfo.InstanceStatus); any other text reads as UNKNOWN, as Eureka reads it. */
export const EUREKA_STATUSES = ['UP', 'DOWN', 'STARTING', 'OUT_OF_SERVICE', 'UNKNOWN'] as const;
export type EurekaStatus = (typeof EUREKA_STATUSES)[number];

/** What a delta says happened to an instance. */
export type EurekaAction = 'ADDED' | 'MODIFIED' | 'DELETED';

const text = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const port = z.union([z.object({ $: text.nullish(), '@enabled': text.nullish() }), text.transform(($) => ({ $, '@enabled': undefined }))]);
const record = z.record(z.string(), z.unknown());

const instanceSchema = z.object({
  instanceId: text.nullish(),
  hostName: text.nullish(),
  app: text.nullish(),
  ipAddr: text.nullish(),
  status: text.nullish(),
  port: port.nullish(),
  securePort: port.nullish(),
  vipAddress: text.nullish(),
  secureVipAddress: text.nullish(),
  dataCenterInfo: z.object({ name: text.nullish(), metadata: record.nullish() }).nullish(),
  metadata: record.nullish(),
  actionType: text.nullish(),
});

export type EurekaInstanceJson = z.infer<typeof instanceSchema>;

/** A port as Eureka gives it: a number and whether it is enabled. */
export interface EurekaPort {
  readonly port: string | undefined;
  readonly enabled: boolean | undefined;
}

/** One instance of an `/apps` or `/apps/delta` answer, with Eureka's identity and status settled. */
export interface EurekaInstanceRecord {
  /** The application's name as Eureka reports it (usually upper case). */
  readonly app: string;
  /** Eureka's id: instanceId, else the Amazon instance-id, else the host name (InstanceInfo.getId). */
  readonly id: string;
  readonly status: EurekaStatus;
  /** Only in a delta. */
  readonly action: EurekaAction | undefined;
  readonly json: EurekaInstanceJson;
}

export interface EurekaApplications {
  /** `apps__hashcode`: instance counts per status (`DOWN_1_UP_2_`), the reconciliation check. */
  readonly hashcode: string | undefined;
  readonly instances: readonly EurekaInstanceRecord[];
  /** Instances that could not be read at all (no object, no id), for the log. */
  readonly skipped: readonly string[];
}

/** The answer is not Eureka's applications JSON (a proxy's page, a truncated body…). */
export class EurekaAnswerError extends Error {
  override readonly name = 'EurekaAnswerError';
}

const answerSchema = z.object({
  applications: z.object({ apps__hashcode: text.nullish(), application: z.unknown().optional() }),
});
const applicationSchema = z.object({ name: text, instance: z.unknown().optional() });

/** A list as Jackson writes it, or the single object Jettison writes for a one-element list. */
function asList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value === undefined || value === null ? [] : [value];
}

export function eurekaStatus(value: string | null | undefined): EurekaStatus {
  const upper = (value ?? '').trim().toUpperCase();
  return (EUREKA_STATUSES as readonly string[]).includes(upper) ? (upper as EurekaStatus) : 'UNKNOWN';
}

function eurekaAction(value: string | null | undefined): EurekaAction | undefined {
  const upper = (value ?? '').toUpperCase();
  return upper === 'ADDED' || upper === 'MODIFIED' || upper === 'DELETED' ? upper : undefined;
}

/** InstanceInfo.getId(): the instanceId, else (on Amazon) the EC2 instance id, else the host name. */
function instanceIdOf(json: EurekaInstanceJson): string | undefined {
  if (json.instanceId) return json.instanceId;
  const amazonId = json.dataCenterInfo?.metadata?.['instance-id'];
  if (json.dataCenterInfo?.name === 'Amazon' && typeof amazonId === 'string' && amazonId !== '') return amazonId;
  return json.hostName || undefined;
}

export function readPort(value: EurekaInstanceJson['port']): EurekaPort {
  const enabled = value?.['@enabled'];
  return { port: value?.$ ?? undefined, enabled: enabled === undefined || enabled === null ? undefined : enabled.trim().toLowerCase() === 'true' };
}

/** Reads an `/apps` or `/apps/delta` body (already JSON-parsed). Throws EurekaAnswerError when it is not one. */
export function parseApplications(body: unknown): EurekaApplications {
  const answer = answerSchema.safeParse(body);
  if (!answer.success) throw new EurekaAnswerError('the answer is not Eureka applications JSON (no "applications" object)');
  const instances: EurekaInstanceRecord[] = [];
  const skipped: string[] = [];
  for (const item of asList(answer.data.applications.application)) {
    const application = applicationSchema.safeParse(item);
    if (!application.success) {
      skipped.push('an application without a name');
      continue;
    }
    const app = application.data.name;
    asList(application.data.instance).forEach((entry, index) => {
      const parsed = instanceSchema.safeParse(entry);
      const id = parsed.success ? instanceIdOf(parsed.data) : undefined;
      if (!parsed.success || id === undefined) {
        skipped.push(`${app} instance #${index + 1}: ${parsed.success ? 'no instanceId or hostName' : 'not an instance object'}`);
        return;
      }
      instances.push({ app, id, status: eurekaStatus(parsed.data.status), action: eurekaAction(parsed.data.actionType), json: parsed.data });
    });
  }
  return { hashcode: answer.data.applications.apps__hashcode ?? undefined, instances, skipped };
}
