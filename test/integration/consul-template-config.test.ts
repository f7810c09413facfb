/**
 * consul-template's own configuration, run by consul-template 0.42.1 and by ctmpl against one real
 * Consul (TLS on, basic auth sent, retry settings, several template blocks, a global wait and exec
 * mode): the same files, the same commands and the same restarts of the exec child. Then the
 * errors a consul-template config gets: a misspelt key at file:line:col, a key ctmpl refuses.
 */
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, test } from 'vitest';
import { registerCleanup } from '../support/cleanup.js';
import { registerCatalog, startConsul, type ConsulAgent } from '../support/consul.js';
import { NO_CONSUL_ENV, readIfExists, readLines, runCtmpl, startCtmpl, waitFor } from '../support/ctmpl.js';
import { freePorts } from '../support/ports.js';
import { obtainTool } from '../support/programs.js';
import { tempDir } from '../support/tmp.js';

const CHANGE_MS = 20_000;

/** A CA and a server certificate for 127.0.0.1/localhost, made by Consul's own `tls` command. */
async function certificates(dir: string): Promise<{ ca: string; cert: string; key: string }> {
  const consul = obtainTool('consul');
  await execa(consul, ['tls', 'ca', 'create', '-days', '2'], { cwd: dir });
  await execa(consul, ['tls', 'cert', 'create', '-server', '-dc', 'dc1', '-days', '2'], { cwd: dir });
  return { ca: join(dir, 'consul-agent-ca.pem'), cert: join(dir, 'dc1-server-consul-0.pem'), key: join(dir, 'dc1-server-consul-0-key.pem') };
}

/** The config, as a consul-template user has it: relative paths are relative to the working directory. */
function config(httpsPort: number, ca: string, execReloadSignal: string | undefined): string {
  return `# nginx upstreams and a maintenance flag, from consul-template's documentation examples
consul {
  address = "127.0.0.1:${httpsPort}"
  auth {
    enabled  = true
    username = "ct"
    password = "not-a-real-password"
  }
  ssl {
    enabled     = true
    verify      = true
    ca_cert     = "${ca}"
    server_name = "localhost"
  }
  retry {
    enabled     = true
    attempts    = 5
    backoff     = "100ms"
    max_backoff = "1s"
  }
}

max_stale = "2s"
log_level = "info"

wait {
  min = "200ms"
  max = "1s"
}

exec {
  command      = ["sh", "child.sh"]
  kill_timeout = "2s"${execReloadSignal === undefined ? '' : `\n  reload_signal = "${execReloadSignal}"`}
}

template {
  source      = "upstreams.tmpl"
  destination = "out/upstreams.conf"
  command     = ["sh", "-c", "echo upstreams >> reloads.log"]
  perms       = 0640
  backup      = true
}

template {
  source      = "maintenance.tmpl"
  destination = "out/maintenance.conf"
  command     = "echo maintenance >> reloads.log"
}

template {
  contents    = "color={{ key \\"app/color\\" }}\\n"
  destination = "out/color.txt"
}
`;
}

/** The same two templates in consul-template's Go syntax and in ctmpl's Handlebars, rendering the same bytes. */
const TEMPLATES = {
  go: {
    'upstreams.tmpl': 'upstream web {\n{{- range service "web" }}\n  server {{ .Address }}:{{ .Port }};\n{{- end }}\n}\n',
    'maintenance.tmpl': 'maintenance={{ keyOrDefault "app/maintenance" "off" }}\n',
  },
  handlebars: {
    'upstreams.tmpl': 'upstream web {\n{{#each (service "web")}}\n  server {{Address}}:{{Port}};\n{{/each}}\n}\n',
    'maintenance.tmpl': 'maintenance={{keyOrDefault "app/maintenance" "off"}}\n',
  },
} as const;

/**
 * The exec child: says when it starts, and each SIGHUP it gets (it would then go on running).
 * Its traps are set before it says "start", so no signal can reach it unhandled after that.
 */
const CHILD = `trap 'echo hup >> exec.log' HUP
trap 'exit 0' TERM INT
echo start >> exec.log
while true; do sleep 0.05; done
`;

async function workDir(name: string, templates: Readonly<Record<string, string>>): Promise<string> {
  const dir = await tempDir(`ctmpl-ctconfig-${name}-`);
  for (const [file, text] of Object.entries(templates)) await writeFile(join(dir, file), text);
  await writeFile(join(dir, 'child.sh'), CHILD);
  await mkdir(join(dir, 'out'));
  return dir;
}

/** consul-template as a daemon in `cwd`, stopped (kill_signal SIGINT, then SIGKILL) when the test ends. */
function startConsulTemplate(configPath: string, cwd: string) {
  const child = execa(obtainTool('consul-template'), ['-config', configPath], { cwd, env: NO_CONSUL_ENV, extendEnv: true, reject: false, stdin: 'ignore', all: true, buffer: true, forceKillAfterDelay: 3000 });
  let output = '';
  child.all?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  registerCleanup(async () => {
    child.kill('SIGINT');
    await child;
  });
  return { output: () => output, stop: async () => (child.kill('SIGINT'), await child) };
}

/** What a run left in its working directory. */
async function results(dir: string) {
  const read = (name: string) => readIfExists(join(dir, name));
  return {
    upstreams: await read('out/upstreams.conf'),
    upstreamsBackup: await read('out/upstreams.conf.bak'),
    maintenance: await read('out/maintenance.conf'),
    color: await read('out/color.txt'),
    upstreamsMode: ((await stat(join(dir, 'out/upstreams.conf'))).mode & 0o777).toString(8),
    reloads: (await readLines(join(dir, 'reloads.log'))).sort(),
    exec: await readLines(join(dir, 'exec.log')),
  };
}

async function registerWeb(agent: ConsulAgent, ids: readonly number[]): Promise<void> {
  await registerCatalog(
    agent,
    ids.map((i) => ({ node: `node-${i}`, nodeAddress: `10.0.0.${i}`, id: `web-${i}`, service: 'web', address: `10.0.0.${i}`, port: 8080 + i })),
  );
}

describe("consul-template's HCL config", () => {
  test.for([
    { execReloadSignal: undefined, afterChange: ['start', 'start'], what: 'restarted (no reload_signal)' },
    { execReloadSignal: 'SIGHUP', afterChange: ['start', 'hup'], what: 'sent SIGHUP (reload_signal)' },
  ])('runs under ctmpl as under consul-template against a real Consul over TLS: the same files and commands; the exec child $what', { timeout: 120_000 }, async ({ execReloadSignal, afterChange }) => {
    const shared = await tempDir('ctmpl-ctconfig-');
    const tls = await certificates(shared);
    const [httpsPort] = (await freePorts(1)) as [number];
    const agent = await startConsul({ config: { ports: { https: httpsPort }, tls: { defaults: { ca_file: tls.ca, cert_file: tls.cert, key_file: tls.key, verify_incoming: false } } } });
    await registerWeb(agent, [1, 2]);
    await agent.api('PUT', '/v1/kv/app/maintenance', 'on');
    await agent.api('PUT', '/v1/kv/app/color', 'blue');
    const configPath = join(shared, 'ct.hcl');
    await writeFile(configPath, config(httpsPort, tls.ca, execReloadSignal));
    const ctDir = await workDir('ct', TEMPLATES.go);
    const ctmplDir = await workDir('ctmpl', TEMPLATES.handlebars);

    const consulTemplate = startConsulTemplate(configPath, ctDir);
    const ctmpl = startCtmpl(['-config', configPath, '--log-format', 'json'], { cwd: ctmplDir, env: NO_CONSUL_ENV });

    const first = { upstreams: 'upstream web {\n  server 10.0.0.1:8081;\n  server 10.0.0.2:8082;\n}\n', maintenance: 'maintenance=on\n', color: 'color=blue\n' };
    const settled = async (dir: string, expected: { upstreams: string; maintenance: string; color: string }, execLines: readonly string[], reloads: number, what: string) => {
      let last: Awaited<ReturnType<typeof results>> | undefined;
      try {
        await waitFor(
          async () => {
            last = await results(dir).catch(() => undefined);
            return last && last.upstreams === expected.upstreams && last.maintenance === expected.maintenance && last.color === expected.color && last.reloads.length === reloads && last.exec.join(',') === execLines.join(',');
          },
          { timeoutMs: CHANGE_MS, intervalMs: 50, what },
        );
      } catch (err) {
        const outputs = `--- consul-template ---\n${consulTemplate.output()}\n--- ctmpl ---\n${ctmpl.stdout()}${ctmpl.stderr()}`;
        throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- last state ---\n${JSON.stringify(last, null, 1)}\n${outputs}`);
      }
      return results(dir);
    };

    const [ctFirst, ctmplFirst] = await Promise.all([settled(ctDir, first, ['start'], 2, 'consul-template: first render'), settled(ctmplDir, first, ['start'], 2, 'ctmpl: first render')]);
    expect(ctmplFirst).toEqual(ctFirst);
    expect(ctmplFirst).toMatchObject({ upstreamsMode: '640', reloads: ['maintenance', 'upstreams'], upstreamsBackup: undefined });

    // One change: a third instance. One template changes: its command runs, and the exec child is
    // restarted (consul-template's default without exec.reload_signal; ctmpl's own would be SIGHUP),
    // or signalled.
    await registerWeb(agent, [3]);
    const second = { ...first, upstreams: 'upstream web {\n  server 10.0.0.1:8081;\n  server 10.0.0.2:8082;\n  server 10.0.0.3:8083;\n}\n' };
    const [ctSecond, ctmplSecond] = await Promise.all([
      settled(ctDir, second, afterChange, 3, 'consul-template: the change'),
      settled(ctmplDir, second, afterChange, 3, 'ctmpl: the change'),
    ]);
    expect(ctmplSecond).toEqual(ctSecond);
    expect(ctmplSecond).toMatchObject({ reloads: ['maintenance', 'upstreams', 'upstreams'], upstreamsBackup: first.upstreams });

    // ctmpl logged what it reads differently from consul-template, and nothing of the password.
    expect(ctmpl.stdout() + ctmpl.stderr()).not.toContain('not-a-real-password');
    const [, stopped] = await Promise.all([consulTemplate.stop(), ctmpl.stop()]);
    expect(stopped, ctmpl.stdout() + ctmpl.stderr()).toEqual({ exitCode: 0, signal: undefined });
  });

  test('a misspelt key is named at file:line:col with the key it should be; a key ctmpl cannot honour is refused there with what to do', async () => {
    const dir = await tempDir('ctmpl-ctconfig-bad-');
    await writeFile(join(dir, 'a.tmpl'), 'x\n');
    const misspelt = 'consul {\n  address = "127.0.0.1:8500"\n}\n\ntemplate {\n  source      = "a.tmpl"\n  destinaton  = "out/a"\n}\n';
    await writeFile(join(dir, 'misspelt.hcl'), misspelt);
    const run = await runCtmpl(['-config', 'misspelt.hcl', '-once'], { cwd: dir, env: NO_CONSUL_ENV });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toBe(`ctmpl: error: ${join(dir, 'misspelt.hcl')}:7:3: unknown key "destinaton" in templates.0\n  hint: did you mean "destination"?; see docs/configuration.md for the keys\n`);

    await writeFile(join(dir, 'vault.hcl'), 'vault {\n  address = "https://vault:8200"\n}\ntemplate {\n  source = "a.tmpl"\n  destination = "out/a"\n}\n');
    const vault = await runCtmpl(['-config=vault.hcl', '-once'], { cwd: dir, env: NO_CONSUL_ENV });
    expect(vault.exitCode).toBe(2);
    expect(vault.stderr).toMatch(new RegExp(`^ctmpl: error: ${join(dir, 'vault.hcl')}:1:1: consul-template's vault \\{ \\} is not supported\\n  hint: ctmpl does not read Vault`));

    // -parse-only is ctmpl validate: the config and its templates checked, nothing rendered.
    await writeFile(join(dir, 'good.hcl'), 'template {\n  source = "a.tmpl"\n  destination = "out/a"\n}\n');
    const parseOnly = await runCtmpl(['-config', 'good.hcl', '-parse-only'], { cwd: dir, env: NO_CONSUL_ENV });
    expect(parseOnly.exitCode).toBe(0);
    expect(parseOnly.stdout).toMatch(/^ctmpl: ok: 1 template\(s\)/);
    expect(await readIfExists(join(dir, 'out/a'))).toBeUndefined();
  });

  test('a Go template gets an answer in Go terms, with the Handlebars form and the migration guide', async () => {
    const dir = await tempDir('ctmpl-ctconfig-go-');
    await writeFile(join(dir, 'up.tmpl'), TEMPLATES.go['upstreams.tmpl']);
    const run = await runCtmpl(['-template', 'up.tmpl:out.conf', '-once'], { cwd: dir, env: NO_CONSUL_ENV });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain('this looks like Go template syntax (consul-template\'s), not Handlebars: line 3 has {{ .Address }}; in Handlebars: {{Address}}');
    expect(run.stderr).toContain('docs/migrating-from-consul-template.md');
    expect(run.stderr).not.toMatch(/brace/);
  });
});
