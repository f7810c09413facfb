import { resolve } from 'node:path';
import { z } from 'zod';
import { parseDuration } from '../../config/duration.js';
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
  { flags: '--consul-token-file <path>', key: ['token_file'], help: 'file holding the ACL token, re-read on SIGHUP (env CONSUL_HTTP_TOKEN_FILE)' },
  { flags: '--consul-ssl', key: ['ssl', 'enabled'], help: 'talk to Consul over HTTPS (env CONSUL_HTTP_SSL)' },
  { flags: '--consul-ssl-verify <bool>', key: ['ssl', 'verify'], choices: ['true', 'false'], help: 'verify the server certificate (env CONSUL_HTTP_SSL_VERIFY; default true)' },
  { flags: '--consul-ca-cert <path>', key: ['ssl', 'ca_cert'], help: 'CA certificate (env CONSUL_CACERT)' },
  { flags: '--consul-ca-path <dir>', key: ['ssl', 'ca_path'], help: 'directory of CA certificates (env CONSUL_CAPATH)' },
  { flags: '--consul-client-cert <path>', key: ['ssl', 'cert'], help: 'client certificate (env CONSUL_CLIENT_CERT)' },
  { flags: '--consul-client-key <path>', key: ['ssl', 'key'], help: 'client key (env CONSUL_CLIENT_KEY)' },
  { flags: '--consul-tls-server-name <name>', key: ['ssl', 'server_name'], help: 'SNI name to verify (env CONSUL_TLS_SERVER_NAME)' },
  { flags: '--max-stale <duration>', key: ['max_stale'], help: 'allow stale reads up to this lag, 0 for leader reads (default 2s)' },
  { flags: '--consistent', key: ['consistent'], help: 'consistent reads: every read through the leader' },
  { flags: '--block-query-wait <duration>', key: ['block_query_wait'], help: 'wait of Consul blocking queries (default 60s)' },
  { flags: '--consul-cached', key: ['cached'], help: "health reads through the agent's cache (?cached): much less load on the servers" },
  { flags: '--consul-min-interval <duration>', key: ['min_interval'], help: 'least time between two requests of one query (default 100ms)' },
];

const text = (value: unknown): string => String(value);
const bool = (value: unknown): boolean => value === true;
const duration = (value: unknown, name: string): number => parseDuration(String(value), name);

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
