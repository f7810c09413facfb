import { InputError } from '../../errors.js';
import { NacosHttpError, type NacosHttp } from './http.js';
import { loginAnswer } from './messages.js';
import { readNacosPassword, type NacosSettings } from './settings.js';

/** Nacos refused the login (wrong user or password), or the password file cannot be read. */
export class NacosAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NacosAuthError';
  }
}

/** Share of a token's lifetime after which it is renewed (Nacos's own clients renew at 90% too). */
const RENEW_AT = 0.9;

/**
 * Logs in through `/v1/auth/login` and keeps the accessToken fresh: a new login when 90% of the
 * token's lifetime (`tokenTtl`) has passed, or when a request was refused (`invalidate`). The
 * password is read from its file at every login, so a rotated password needs no restart; it is
 * never kept, logged or put in a URL.
 */
export class NacosLogin {
  private token: string | undefined;
  private renewAt = 0;
  private pending: Promise<string> | undefined;
  /** The last refused login and when: repeated for `retryMs` instead of asking again (Nacos rate-limits logins). */
  private refused: { error: Error; at: number } | undefined;

  constructor(
    private readonly auth: NacosSettings['auth'],
    private readonly http: NacosHttp,
    private readonly retryMs = 5000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The user whose login is used (for messages), or undefined without authentication. */
  get user(): string | undefined {
    return this.auth?.user;
  }

  /** A valid accessToken, logging in when needed; undefined when the source has no user. */
  async accessToken(): Promise<string | undefined> {
    if (this.auth === undefined) return undefined;
    if (this.token !== undefined && this.now() < this.renewAt) return this.token;
    if (this.refused !== undefined && this.now() - this.refused.at < this.retryMs) throw this.refused.error;
    this.pending ??= this.login(this.auth)
      .then(
        (token) => {
          this.refused = undefined;
          return token;
        },
        (err: unknown) => {
          if (err instanceof NacosAuthError) this.refused = { error: err, at: this.now() };
          throw err;
        },
      )
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }

  /** The server refused the token (expired, or the server restarted and forgot it): log in again next time. */
  invalidate(): void {
    this.token = undefined;
  }

  private async login(auth: NonNullable<NacosSettings['auth']>): Promise<string> {
    let password: string;
    try {
      password = readNacosPassword({ auth }) as string;
    } catch (err) {
      throw new NacosAuthError(`cannot log in as Nacos user "${auth.user}": ${err instanceof InputError ? err.describe() : String(err)}`);
    }
    let body: unknown;
    try {
      body = await this.http.request('POST', 'v1/auth/login', { username: auth.user, password });
    } catch (err) {
      if (err instanceof NacosHttpError && (err.status === 401 || err.status === 403)) {
        throw new NacosAuthError(`Nacos refused the login of user "${auth.user}" (${err.message}); check the user and the password in password_file`);
      }
      throw err;
    }
    const answer = loginAnswer(body);
    this.token = answer.accessToken;
    this.renewAt = this.now() + answer.ttlSeconds * 1000 * RENEW_AT;
    return answer.accessToken;
  }
}
