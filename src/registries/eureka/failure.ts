import { EurekaHttpError, EurekaUnavailableError } from './client.js';
import type { EurekaSettings } from './settings.js';
import { EurekaAnswerError } from './wire.js';

/** A failed fetch, as /status and the log show it. */
export interface FailureReport {
  /** Identifies the problem without volatile parts (one log line per distinct problem, not per retry). */
  readonly key: string;
  readonly message: string;
}

function errorText(err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
  const message = err instanceof Error ? err.message : String(err);
  return code !== undefined && !message.includes(code) ? `${code}: ${message}` : message;
}

/** What went wrong with one server: a kind (for the problem key) and the detail for a person. */
function describeAttempt(error: unknown, settings: EurekaSettings): { kind: string; detail: string } {
  const user = settings.auth?.user;
  if (error instanceof EurekaHttpError && error.status === 401) {
    return {
      kind: 'authentication refused (HTTP 401)',
      detail:
        user !== undefined
          ? `user "${user}" was refused (HTTP 401): check the user in the URI and the password in its password_file`
          : 'the server asks for a login (HTTP 401): put USER@ before the servers and add password_file=PATH',
    };
  }
  if (error instanceof EurekaHttpError && error.status === 403) {
    return {
      kind: 'access refused (HTTP 403)',
      detail: `${user !== undefined ? `user "${user}"` : 'a client without a login'} may not read the registry (HTTP 403), or the server has just started and does not serve its registry yet`,
    };
  }
  if (error instanceof EurekaHttpError) return { kind: `HTTP ${error.status}`, detail: `HTTP ${error.status}` };
  if (error instanceof EurekaAnswerError) return { kind: 'bad answer', detail: error.message };
  const text = errorText(error);
  return { kind: /not JSON|closed before|larger than/.test(text) ? 'bad answer' : 'no answer', detail: text };
}

/**
 * Describes a failed fetch for SourceHealth: a peer group's failure lists each server's reason
 * (`eu1:8761: ECONNREFUSED; eu2:8761: HTTP 503`); authentication failures name the user (never
 * the password).
 */
export function describeFailure(err: unknown, settings: EurekaSettings): FailureReport {
  if (!(err instanceof EurekaUnavailableError)) {
    const { kind, detail } = describeAttempt(err, settings);
    return { key: kind, message: detail };
  }
  const described = err.attempts.map((a) => ({ server: a.server, ...describeAttempt(a.error, settings) }));
  const kinds = [...new Set(described.map((d) => d.kind))].sort();
  const details = described.map((d) => (described.length === 1 ? d.detail : `${d.server}: ${d.detail}`)).join('; ');
  return { key: kinds.join(', '), message: `GET ${err.path} failed${described.length > 1 ? ' on every server' : ''}: ${details}` };
}
