/**
 * Keeps one ZooKeeper session open for a source: opens it, reports the connection's health, and
 * replaces it when it expires (reading the password file again first). Kept apart from the
 * source so that what happens to the connection can be followed in one place, and the source
 * only hears "a new session begins" and "connected (again)".
 */
import { guarded } from '../../util/guarded.js';
import { CONNECTION, type SourceHealth } from '../health.js';
import { ZkSession, type ZkDigestAuth, type ZkState } from './client.js';
import { readZooKeeperAuth, type ZooKeeperSettings } from './settings.js';

/** Pause before a new session is tried again when the password file could not be read. */
const PASSWORD_RETRY_MS = 5000;

/** What the keeper tells the source. */
export interface SessionEvents {
  /** A new session is being opened: what belonged to the old one (armed watches) is void. */
  newSession(): void;
  /** Connected, or connected again within the session: everything is read again. */
  connected(): void;
  /** A state handler threw: reported, never thrown into the client library. */
  internalError(err: unknown): void;
}

/**
 * The current session and its generation. A lost connection is retried by the client within the
 * session (watches survive); an expired session is replaced by a new one.
 */
export class SessionKeeper {
  private current: ZkSession | undefined;
  /** Incremented per session: a watch or read of an older session is ignored. */
  private gen = 0;
  private everConnected = false;
  private isConnected = false;
  private ended = false;
  private connectTimer: NodeJS.Timeout | undefined;
  /** A new session waiting for a readable password file. */
  private sessionTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: ZooKeeperSettings,
    private readonly health: SourceHealth,
    private readonly events: SessionEvents,
  ) {}

  /** The open session, if any (none while a new one waits for the password file, or after stop). */
  get session(): ZkSession | undefined {
    return this.current;
  }

  get generation(): number {
    return this.gen;
  }

  /** Connected at least once (in any session): until then nothing is read. */
  get connectedOnce(): boolean {
    return this.everConnected;
  }

  /** Connected now (as of the last state change). */
  get connected(): boolean {
    return this.isConnected;
  }

  get stopped(): boolean {
    return this.ended;
  }

  /** The first session. An unreadable password file is an input error (exit 2, or a SIGHUP refused). */
  start(): void {
    this.open(readZooKeeperAuth(this.settings));
  }

  stop(): void {
    this.ended = true;
    clearTimeout(this.connectTimer);
    clearTimeout(this.sessionTimer);
    this.current?.close();
    this.current = undefined;
  }

  /**
   * A new session after the old one expired: the password file is read again first. While it
   * cannot be read, that is reported and tried again; the last data stays in use.
   */
  private reopen(): void {
    if (this.ended) return;
    let auth: ZkDigestAuth | undefined;
    try {
      auth = readZooKeeperAuth(this.settings);
    } catch (err) {
      this.health.report('password file unreadable', CONNECTION, `no new session: the password file cannot be read; trying again in ${PASSWORD_RETRY_MS / 1000} s, the last data stays in use`, err);
      clearTimeout(this.sessionTimer);
      this.sessionTimer = setTimeout(() => this.reopen(), PASSWORD_RETRY_MS);
      return;
    }
    this.open(auth);
  }

  private open(auth: ZkDigestAuth | undefined): void {
    if (this.ended) return;
    this.gen += 1;
    const generation = this.gen;
    this.events.newSession();
    const session = new ZkSession(
      this.settings.hosts,
      this.settings.sessionTimeoutMs,
      (state) =>
        guarded(
          (err) => this.events.internalError(err),
          () => this.onState(generation, state),
        ),
      auth,
    );
    this.current = session;
    this.reportIfNotConnectedSoon();
    session.connect();
  }

  /** Not connected within connect_timeout: reported (the client keeps trying). */
  private reportIfNotConnectedSoon(): void {
    clearTimeout(this.connectTimer);
    this.connectTimer = setTimeout(() => {
      this.health.report('not connected', CONNECTION, `no server answers within ${this.settings.connectTimeoutMs} ms; still trying, the last data stays in use`);
    }, this.settings.connectTimeoutMs);
  }

  private onState(generation: number, state: ZkState): void {
    if (generation !== this.gen || this.ended) return;
    this.isConnected = state === 'connected' || state === 'read-only';
    switch (state) {
      case 'connected':
      case 'read-only':
        clearTimeout(this.connectTimer);
        this.everConnected = true;
        this.health.resolve(CONNECTION);
        // Watches survive a reconnection within the session, but what changed while the
        // connection was down is read again anyway (cheap, and never misses a change).
        this.events.connected();
        break;
      case 'disconnected':
        this.health.report('disconnected', CONNECTION, 'lost the connection; reconnecting within the session, the last data stays in use');
        this.reportIfNotConnectedSoon();
        break;
      case 'expired': {
        this.health.report('session expired', CONNECTION, 'the session expired; opening a new session and reading everything again, the last data stays in use');
        const old = this.current;
        this.current = undefined;
        old?.close();
        this.reopen();
        break;
      }
      case 'auth-failed':
        // The server refused the credentials and closed the session (the client does not retry).
        this.health.report('authentication failed', CONNECTION, 'the server refused the credentials; check the user and password_file of the ZooKeeper source, then reload ctmpl (SIGHUP)');
        break;
      case 'other':
        break;
    }
  }
}
