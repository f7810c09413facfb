import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { request as httpRequest } from 'node:http';
import { isIP } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { failed, failureText, PASSED, targetText, type ProbeTarget } from './probe.js';
import type { HttpProbeSpec, ProbeSpec } from './settings.js';
import type { ProbeOutcome } from './state.js';

/** At most this much of a body is read when looking for the expected text. */
export const BODY_LIMIT = 64 * 1024;

/**
 * One HTTP(S) request per probe on a fresh connection (`agent: false`, `Connection: close`): no
 * pooled socket outlives a probe, so a stalled backend cannot pin sockets. Passes when the status is
 * in the expected range and, when asked, the first 64 KiB of the body contain the expected text.
 */
export function probeHttp(target: ProbeTarget, spec: ProbeSpec, signal: AbortSignal): Promise<ProbeOutcome> {
  const http = spec.http;
  if (http === undefined) return Promise.resolve(failed(`not an http probe (type ${spec.type})`));
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(failed('aborted'));
      return;
    }
    let req: ClientRequest | undefined;
    const done = (outcome: ProbeOutcome): void => {
      signal.removeEventListener('abort', onAbort);
      req?.destroy();
      resolve(outcome);
    };
    const onAbort = (): void => done(failed('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      req = (spec.type === 'https' ? httpsRequest : httpRequest)(requestOptions(target, spec.type === 'https', http));
    } catch (err) {
      done(failed(failureText(err)));
      return;
    }
    // Kept (not once): destroying the request may still emit an error, which must not be uncaught.
    req.on('error', (err) => done(failed(failureText(err))));
    req.once('response', (res) => judge(res, http, done));
    req.end();
  });
}

function requestOptions(target: ProbeTarget, tls: boolean, http: HttpProbeSpec): RequestOptions & { servername?: string; rejectUnauthorized?: boolean } {
  const options: RequestOptions & { servername?: string; rejectUnauthorized?: boolean } = {
    host: target.address,
    port: target.port,
    method: http.method,
    path: http.path,
    agent: false,
    headers: { host: http.host ?? targetText(target), 'user-agent': 'ctmpl-probe', accept: '*/*', connection: 'close' },
  };
  if (tls) {
    const name = serverName(http.host);
    if (name !== undefined) options.servername = name;
    options.rejectUnauthorized = !http.tlsSkipVerify;
  }
  return options;
}

/** The TLS server name: the Host setting's name part, unless it is an IP address (SNI has none). */
function serverName(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  const name = host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return isIP(name) === 0 ? name : undefined;
}

function judge(res: IncomingMessage, http: HttpProbeSpec, done: (outcome: ProbeOutcome) => void): void {
  const status = res.statusCode ?? 0;
  res.on('error', (err) => done(failed(failureText(err))));
  if (status < http.expect.min || status > http.expect.max) {
    done(failed(`status ${status}`));
    return;
  }
  const wanted = http.body;
  if (wanted === undefined) {
    done(PASSED);
    return;
  }
  const needle = Buffer.from(wanted, 'utf8');
  const shown = JSON.stringify(wanted.length > 40 ? `${wanted.slice(0, 40)}…` : wanted);
  let seen = Buffer.alloc(0);
  res.on('data', (chunk: Buffer) => {
    // Only the new bytes (plus the needle's length before them) need searching.
    const from = Math.max(0, seen.length - needle.length + 1);
    seen = Buffer.concat([seen, chunk.subarray(0, BODY_LIMIT - seen.length)]);
    if (seen.indexOf(needle, from) >= 0) done(PASSED);
    else if (seen.length >= BODY_LIMIT) done(failed(`body does not contain ${shown} in its first 64 KiB`));
  });
  res.once('end', () => done(failed(`body does not contain ${shown}`)));
}
