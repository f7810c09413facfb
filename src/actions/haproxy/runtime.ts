import type { Logger } from '../../observe/log.js';
import { sleep } from '../../util/sleep.js';
import { COMMAND_KINDS, describeCommand, type CommandKind, type RuntimeCommand } from './commands.js';
import { parseConfig, structuralChange, type HaproxyConfig } from './config.js';
import { capabilitiesOf, planChanges, type Capabilities, type PlannedStep, type Removal } from './plan.js';
import { HaproxySocket, SocketError, type SocketAddress } from './socket.js';
import { parseBackends, parseInfo, parseServersState, parseStatLoad, StateFormatError } from './state.js';

/**
 * Applies a rendered haproxy configuration to the running haproxy through its Runtime API when
 * only servers changed (added, removed, moved, reweighted, enabled or disabled), so no reload
 * resets connections. Anything else — a structural change, no previous file, a command haproxy
 * refuses, an unreachable socket, the time budget spent — answers `reload`: the caller then runs
 * its normal reload (with check and rollback), and calls reconcile() once haproxy is back.
 */

export interface HaproxyRuntimeOptions {
  /** The admin socket: a unix socket path, `unix@PATH`, `ipv4@HOST:PORT` or `ipv6@[HOST]:PORT`. */
  readonly socket: string | SocketAddress;
  /** Deadline of one command (default 2000 ms). */
  readonly timeoutMs?: number;
  /** Deadline of a whole apply or reconcile (default 10 s); past it the caller reloads. */
  readonly budgetMs?: number;
  /** How long an apply waits for removed servers to finish their sessions (default 2000 ms). */
  readonly drainWaitMs?: number;
  /** Polling interval while waiting for that (default 25 ms). */
  readonly pollMs?: number;
  readonly log?: Logger;
}

export type CommandCounts = Record<CommandKind, number>;

interface Outcome {
  /** Commands sent (those refused included). */
  readonly commands: number;
  readonly byKind: CommandCounts;
  readonly durationMs: number;
}

export type RuntimeResult =
  | (Outcome & {
      readonly kind: 'applied';
      /** What differed and was changed (for reconcile: the drift found), one line each. */
      readonly differences: readonly string[];
      /** `backend/server` left draining (still in use): a later apply or reconcile deletes them. */
      readonly pendingRemovals: readonly string[];
      readonly version: string;
    })
  | (Outcome & { readonly kind: 'reload'; readonly reason: string });

/** Something on the way made the runtime path give up: the caller reloads. */
class GiveUp extends Error {}

export class HaproxyRuntime {
  private readonly socket: HaproxySocket;
  private readonly budgetMs: number;
  private readonly timeoutMs: number;
  private readonly drainWaitMs: number;
  private readonly pollMs: number;

  constructor(private readonly options: HaproxyRuntimeOptions) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.socket = new HaproxySocket(options.socket, { timeoutMs: this.timeoutMs });
    this.budgetMs = options.budgetMs ?? 10_000;
    this.drainWaitMs = options.drainWaitMs ?? 2000;
    this.pollMs = options.pollMs ?? 25;
  }

  /**
   * Applies `rendered` (the new file) to haproxy, which runs `previous` (the file before it):
   * `applied` when the difference was servers only and haproxy took every command; `reload`, with
   * the reason, when only a reload can get there.
   */
  async apply(rendered: string, previous: string | undefined, signal?: AbortSignal): Promise<RuntimeResult> {
    const started = performance.now();
    const next = parseConfig(rendered);
    if (previous === undefined) return this.giveUp('no previous file to compare with', started);
    const structural = structuralChange(parseConfig(previous), next);
    if (structural !== undefined) return this.giveUp(structural, started);
    return this.converge(next, 'apply', started, signal);
  }

  /**
   * Makes the running servers match `rendered` (after a reload, at start, or now and then): the
   * differences found are the drift. `reload` when they cannot be fixed at run time.
   */
  async reconcile(rendered: string, options: { signal?: AbortSignal; previousWorker?: number } = {}): Promise<RuntimeResult> {
    const started = performance.now();
    if (options.previousWorker !== undefined) {
      // Right after a reload the socket path may still reach the old worker, which is leaving.
      const fresh = await this.waitForNewWorker(options.previousWorker, started + this.budgetMs, options.signal);
      if (!fresh) return this.giveUp(`haproxy still runs worker ${options.previousWorker}: the reload did not start a new one`, started);
    }
    return this.converge(parseConfig(rendered), 'reconcile', started, options.signal);
  }

  /** The PID of the worker answering on the socket (`show info`), or undefined when none answers. */
  async workerPid(): Promise<number | undefined> {
    try {
      return parseInfo(await this.socket.send('show info')).pid;
    } catch (err) {
      if (err instanceof SocketError || err instanceof StateFormatError) return undefined;
      throw err;
    }
  }

  /**
   * `show servers state` as haproxy prints it: what a reload command writes to the
   * server-state-file just before signalling haproxy, so the reload keeps health and states.
   */
  serverState(): Promise<string> {
    return this.socket.send('show servers state');
  }

  private async waitForNewWorker(old: number, deadline: number, signal: AbortSignal | undefined): Promise<boolean> {
    for (;;) {
      const pid = await this.workerPid();
      if (pid !== undefined && pid !== old) return true;
      if (performance.now() + this.pollMs >= deadline || signal?.aborted) return false;
      await sleep(this.pollMs, signal ?? new AbortController().signal);
    }
  }

  private async converge(config: HaproxyConfig, what: 'apply' | 'reconcile', started: number, signal: AbortSignal | undefined): Promise<RuntimeResult> {
    const run = new Run(this.socket, started + this.budgetMs, this.timeoutMs, signal);
    try {
      const info = parseInfo(await run.read('show info'));
      const caps = capabilitiesOf(info);
      const backends = parseBackends(await run.read('show backend'));
      const running = parseServersState(await run.read('show servers state'));
      const plan = planChanges(config, running, backends, caps);
      if (plan.kind === 'reload') return this.giveUp(plan.reason, started, run);
      const steps = [...plan.bringUp, ...plan.takeDown];
      for (const step of steps) await run.execute(step, caps);
      const pending = await this.finishRemovals(run, plan.removals, caps, signal);
      const result: RuntimeResult = {
        kind: 'applied',
        commands: run.commands,
        byKind: run.byKind,
        durationMs: Math.round(performance.now() - started),
        differences: [...steps.map((s) => `${describeCommand(s.command)} (${s.why})`), ...plan.removals.filter((r) => !pending.includes(`${r.backend}/${r.server}`)).map((r) => `${r.backend}/${r.server}: ${r.remove ? 'deleted' : 'in maintenance'} (gone from the file)`)],
        pendingRemovals: pending,
        version: info.version,
      };
      if (result.commands > 0 || what === 'reconcile') {
        this.options.log?.info({ commands: result.commands, byKind: nonZero(result.byKind), pendingRemovals: pending, durationMs: result.durationMs, differences: result.differences.length }, `haproxy runtime ${what}: ${result.commands} command(s)`);
      }
      return result;
    } catch (err) {
      if (err instanceof GiveUp || err instanceof SocketError || err instanceof StateFormatError) return this.giveUp(err.message, started, run);
      throw err;
    }
  }

  /**
   * Waits (up to drainWaitMs, within the budget) for drained servers to have no session, then
   * puts each idle one in maintenance and deletes it. Returns the ones left for a later pass.
   */
  private async finishRemovals(run: Run, removals: readonly Removal[], caps: Capabilities, signal: AbortSignal | undefined): Promise<string[]> {
    let left = [...removals];
    const pending: string[] = [];
    const waitUntil = Math.min(performance.now() + this.drainWaitMs, run.deadline - this.timeoutMs);
    while (left.length > 0) {
      const load = parseStatLoad(await run.read('show stat -1 4 -1'));
      const busy = (r: Removal): boolean => {
        const l = load.get(`${r.backend}/${r.server}`);
        return l !== undefined && (l.sessions > 0 || l.queued > 0);
      };
      for (const removal of left.filter((r) => !busy(r))) {
        const base = { backend: removal.backend, server: removal.server };
        const done = (removal.inMaint || (await run.tryExecute({ kind: 'maint', ...base }, caps))) && (!removal.remove || (await run.tryExecute({ kind: 'del', ...base }, caps)));
        if (!done) {
          // Not a reason to reload: the server is drained or in maintenance and gets no new traffic.
          pending.push(`${removal.backend}/${removal.server}`);
          this.options.log?.warn({ refusal: run.lastRefusal }, 'haproxy runtime: a removed server stays until a later pass');
        }
      }
      left = left.filter(busy);
      if (left.length === 0 || performance.now() >= waitUntil || signal?.aborted) break;
      await sleep(this.pollMs, signal ?? new AbortController().signal);
    }
    return [...pending, ...left.map((r) => `${r.backend}/${r.server}`)];
  }

  private giveUp(reason: string, started: number, run?: Run): RuntimeResult {
    const result: RuntimeResult = { kind: 'reload', reason, commands: run?.commands ?? 0, byKind: run?.byKind ?? zeroCounts(), durationMs: Math.round(performance.now() - started) };
    this.options.log?.info({ reason, commands: result.commands }, 'haproxy runtime: a reload is needed');
    return result;
  }
}

function zeroCounts(): CommandCounts {
  return Object.fromEntries(COMMAND_KINDS.map((k) => [k, 0])) as CommandCounts;
}

function nonZero(counts: CommandCounts): Partial<CommandCounts> {
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}

/** One apply or reconcile: its deadline, and what it sent. */
class Run {
  commands = 0;
  readonly byKind = zeroCounts();
  /** What haproxy said to the last command it refused. */
  lastRefusal = '';

  constructor(
    private readonly socket: HaproxySocket,
    readonly deadline: number,
    private readonly timeoutMs: number,
    private readonly signal: AbortSignal | undefined,
  ) {}

  private timeout(what: string): number {
    const left = this.deadline - performance.now();
    if (left <= 0) throw new GiveUp(`time budget spent before ${what} (${this.commands} command(s) sent)`);
    if (this.signal?.aborted) throw new GiveUp(`stopped before ${what}`);
    return Math.min(this.timeoutMs, left);
  }

  async read(line: string): Promise<string> {
    const timeoutMs = this.timeout(`"${line}"`);
    return this.withinBudget(timeoutMs, `"${line}"`, () => this.socket.send(line, { timeoutMs, signal: this.signal }));
  }

  /** A command cut short by the end of the budget (not by its own timeout) says so. */
  private async withinBudget<T>(timeoutMs: number, what: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (err) {
      if (err instanceof SocketError && err.failure === 'timeout' && timeoutMs < this.timeoutMs) throw new GiveUp(`time budget spent during ${what} (${this.commands} command(s) sent)`);
      throw err;
    }
  }

  /** Sends a command; false when haproxy refused it (the reason is logged by the caller). */
  async tryExecute(command: RuntimeCommand, caps: Capabilities): Promise<boolean> {
    const timeoutMs = this.timeout(describeCommand(command));
    this.commands += 1;
    this.byKind[command.kind] += 1;
    const experimental = caps.experimental && (command.kind === 'add' || command.kind === 'del');
    const reply = await this.withinBudget(timeoutMs, describeCommand(command), () => this.socket.run(command, { timeoutMs, signal: this.signal, experimental }));
    if (!reply.ok) {
      const hint = reply.refusal === 'permission' ? '; the stats socket needs "level admin"' : '';
      this.lastRefusal = `${describeCommand(command)}: haproxy answered "${reply.text}" (${reply.refusal}${hint})`;
    }
    return reply.ok;
  }

  async execute(step: PlannedStep, caps: Capabilities): Promise<void> {
    if (!(await this.tryExecute(step.command, caps))) throw new GiveUp(this.lastRefusal);
  }
}
