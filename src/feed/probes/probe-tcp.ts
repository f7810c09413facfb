import { connect } from 'node:net';
import { failed, failureText, PASSED, type ProbeTarget } from './probe.js';
import type { ProbeOutcome } from './state.js';

/** Passes when a TCP connection opens; the connection is closed at once, nothing is sent. */
export function probeTcp(target: ProbeTarget, _spec: unknown, signal: AbortSignal): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(failed('aborted'));
      return;
    }
    const socket = connect({ host: target.address, port: target.port });
    const done = (outcome: ProbeOutcome): void => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    const onAbort = (): void => done(failed('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => done(PASSED));
    // Kept (not once): a late error on a destroyed socket must not become an uncaught exception.
    socket.on('error', (err) => done(failed(failureText(err))));
  });
}
