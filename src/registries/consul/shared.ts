import { resolve } from 'node:path';
import * as z from 'zod';
import { parseDuration } from '../../config/duration.js';
import { InputError } from '../../errors.js';
import type { BlockFlag, BlockReader, FileCheck, SharedBlock } from '../definition.js';
import { parseAddress, readTokenFile, resolveConsulSettings, type ConsulOverrides, type ConsulSettings } from './settings.js';

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const durationText = z.union([z.string().min(1), z.number().nonnegative()]).transform(String);

/** consul-template's `consul { … }` block, with its key names. */
const schema = z.strictObject({
  address: nonEmpty.optional(),
  token: nonEmpty.optional(),
  token_file: nonEmpty.optional(),
  ssl: z
    .strictObject({
      enabled: z.boolean().optional(),
      verify: z.boolean().optional(),
      ca_cert: nonEmpty.optional(),
      ca_path: nonEmpty.optional(),
      cert: nonEmpty.optional(),
      key: nonEmpty.optional(),
      server_name: nonEmpty.optional(),
    })
    .optional(),
  auth: z
    .strictObject({
      enabled: z.boolean().optional().describe('send basic auth (default: whether a username is given); false also turns CONSUL_HTTP_AUTH off'),
      username: nonEmpty.optional().describe('basic auth user name'),
      password: z.string().optional().describe('basic auth password (prefer CONSUL_HTTP_AUTH in the environment: a config file is read by more people)'),
    })
    .optional()
    .describe("HTTP basic auth towards Consul (for a proxy in front of it), consul-template's block; a password here is readable by whoever reads the file"),
  retry: z
    .strictObject({
      enabled: z.boolean().optional().describe('false: --once gives up at the first failure (the daemon always retries)'),
      attempts: z.number().int().nonnegative().optional().describe('retries after a failure before --once gives up and exits 1; 0 retries for ever (the daemon always retries)'),
      backoff: durationText.optional().describe('first wait after a failed query, doubling per failure'),
      max_backoff: durationText.optional().describe('longest wait between two tries'),
    })
    .optional()
    .describe("consul-template's retry block: how failed Consul queries are retried"),
  max_stale: durationText.optional(),
  block_query_wait: durationText.optional(),
  consistent: z.boolean().optional(),
  cached: z.boolean().optional(),
  min_interval: durationText.optional(),
});

/** The flags that set keys of the block (Consul's own names, as consul-template has them). */
const flags: readonly BlockFlag[] = [
  { flags: '--consul-addr <address>', key: ['address'], help: 'Consul HTTP address, may start with https:// (env CONSUL_HTTP_ADDR; default 127.0.0.1:8500)' },
  { flags: '--consul-token <token>', key: ['token'], help: 'ACL token (env CONSUL_HTTP_TOKEN); prefer a token file, a flag shows in ps' },
  { flags: '--consul-auth <user[:password]>', key: ['auth'], help: 'HTTP basic auth towards Consul (env CONSUL_HTTP_AUTH); prefer the environment, a flag shows in ps' },
  { flags: '--consul-token-file <path>', key: ['token_file'], help: 'file holding the ACL token, re-read on SIGHUP (env CONSUL_HTTP_TOKEN_FILE)' },
  { flags: '--consul-ssl', key: ['ssl', 'enabled'], help: 'talk to Consul over HTTPS (env CONSUL_HTTP_SSL)' },
  { flags: '--consul-ssl-verify <bool>', key: ['ssl', 'verify'], choices: ['true', 'false'], help: 'verify the server certificate (env CONSUL_HTTP_SSL_VERIFY; default true)' },
  { flags: '--consul-ca-cert <path>', key: ['ssl', 'ca_cert'], help: "CA certificate (env CONSUL_CACERT; consul-template's -consul-ssl-ca-cert)" },
  { flags: '--consul-ca-path <dir>', key: ['ssl', 'ca_path'], help: "directory of CA certificates (env CONSUL_CAPATH; consul-template's -consul-ssl-ca-path)" },
  { flags: '--consul-client-cert <path>', key: ['ssl', 'cert'], help: "client certificate (env CONSUL_CLIENT_CERT; consul-template's -consul-ssl-cert)" },
  { flags: '--consul-client-key <path>', key: ['ssl', 'key'], help: "client key (env CONSUL_CLIENT_KEY; consul-template's -consul-ssl-key)" },
  { flags: '--consul-tls-server-name <name>', key: ['ssl', 'server_name'], help: "SNI name to verify (env CONSUL_TLS_SERVER_NAME; consul-template's -consul-ssl-server-name)" },
  { flags: '--consul-retry <bool>', key: ['retry', 'enabled'], choices: ['true', 'false'], help: 'false: --once gives up at the first failed Consul query (default true; the daemon always retries)' },
  { flags: '--consul-retry-attempts <n>', key: ['retry', 'attempts'], help: "retries of a failed Consul query before --once gives up and exits 1; 0 for ever (default 12; the daemon always retries; consul-template's -retry is --consul-retry-backoff)" },
  { flags: '--consul-retry-backoff <duration>', key: ['retry', 'backoff'], help: 'first wait after a failed Consul query, doubling per failure (default 250ms)' },
  { flags: '--consul-retry-max-backoff <duration>', key: ['retry', 'max_backoff'], help: 'longest wait between two tries of a failed Consul query (default 1m)' },
  { flags: '--max-stale <duration>', key: ['max_stale'], help: 'allow stale reads up to this lag, 0 for leader reads (default 2s)' },
  { flags: '--consistent', key: ['consistent'], help: 'consistent reads: every read through the leader' },
  { flags: '--block-query-wait <duration>', key: ['block_query_wait'], help: 'wait of Consul blocking queries (default 60s)' },
  { flags: '--consul-cached', key: ['cached'], help: "health reads through the agent's cache (?cached): much less load on the servers" },
  { flags: '--consul-min-interval <duration>', key: ['min_interval'], help: 'least time between two requests of one query (default 100ms)' },
];

const text = (value: unknown): string => String(value);
const bool = (value: unknown): boolean => value === true;
const duration = (value: unknown, name: string): number => parseDuration(String(value), name);

/** A count given by a flag (text) or the file (a number, checked by the schema). */
function count(value: unknown, name: string): number {
  const text = String(value).trim();
  if (!/^\d+$/.test(text)) throw new InputError(`${name}: "${text}" is not a whole number`, undefined, 'for example 12, or 0 to retry for ever');
  return Number(text);
}

/**
 * HTTP basic auth: `user[:password]` from the flag (as consul-template's -consul-auth), or the
 * `auth` block (`enabled` defaults to whether a username is given). '' turns it off, so an
 * `enabled = false` also overrides CONSUL_HTTP_AUTH. Values are never echoed.
 */
function auth(value: unknown, name: string): string {
  if (typeof value === 'string') return value.includes(':') ? value : `${value}:`;
  const block = value as { enabled?: boolean; username?: string; password?: string };
  if (!(block.enabled ?? block.username !== undefined)) return '';
  if (block.username === undefined) throw new InputError(`${name}: enabled without a username`, undefined, 'add username (and password), or set enabled = false');
  return `${block.username}:${block.password ?? ''}`;
}

const positive = (value: unknown, name: string): number => {
  const ms = duration(value, name);
  if (ms <= 0) throw new InputError(`${name} must be longer than 0`, undefined, 'for example 250ms');
  return ms;
};

/** Paths set by flags resolve against the working directory, from the file against its directory. */
const path = (block: BlockReader, key: readonly string[]): string | undefined => block.get(key, (v) => resolve(block.baseDirOf(key), String(v)));

/** The Consul connection shared by every Consul source: flags over the `consul` block over CONSUL_HTTP_*. */
export const consulBlock: SharedBlock<ConsulSettings> = {
  key: 'consul',
  schema,
  flags,
  resolve(block, env) {
    const overrides: ConsulOverrides = {
      address: block.get(['address'], (v, name) => (parseAddress(String(v), false, name), String(v))),
      token: block.get(['token'], text),
      auth: block.get(['auth'], auth),
      tokenFile: path(block, ['token_file']),
      ssl: block.get(['ssl', 'enabled'], bool),
      sslVerify: block.get(['ssl', 'verify'], bool),
      caCert: path(block, ['ssl', 'ca_cert']),
      caPath: path(block, ['ssl', 'ca_path']),
      clientCert: path(block, ['ssl', 'cert']),
      clientKey: path(block, ['ssl', 'key']),
      serverName: block.get(['ssl', 'server_name'], text),
      maxStaleMs: block.get(['max_stale'], duration),
      blockWaitMs: block.get(['block_query_wait'], duration),
      consistent: block.get(['consistent'], bool),
      cached: block.get(['cached'], bool),
      minIntervalMs: block.get(['min_interval'], duration),
      retryEnabled: block.get(['retry', 'enabled'], bool),
      retryAttempts: block.get(['retry', 'attempts'], count),
      retryBackoffMs: block.get(['retry', 'backoff'], positive),
      retryMaxBackoffMs: block.get(['retry', 'max_backoff'], positive),
    };
    return resolveConsulSettings(Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as ConsulOverrides, env);
  },
  files(shared, block) {
    const checks: FileCheck[] = [];
    /** Only paths set by a flag or the config file are checked here (the environment's when used). */
    const at = (key: readonly string[]) => (block.get(key, () => true) ? { origin: { key, flag: block.flagOf(key) } } : undefined);
    const tokenFile = shared.tokenFile;
    const tokenOrigin = at(['token_file']);
    if (tokenFile !== undefined && tokenOrigin) checks.push({ kind: 'secret', read: () => void readTokenFile(tokenFile), ...tokenOrigin });
    const tls: [readonly string[], string | undefined, 'file' | 'directory', string][] = [
      [['ssl', 'ca_cert'], shared.tls.caCert, 'file', 'the Consul CA certificate'],
      [['ssl', 'ca_path'], shared.tls.caPath, 'directory', 'the Consul CA directory'],
      [['ssl', 'cert'], shared.tls.clientCert, 'file', 'the Consul client certificate'],
      [['ssl', 'key'], shared.tls.clientKey, 'file', 'the Consul client key'],
    ];
    for (const [key, file, kind, describe] of tls) {
      const origin = at(key);
      if (file !== undefined && origin) checks.push({ kind, path: file, describe, ...origin });
    }
    return checks;
  },
};
