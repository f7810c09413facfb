import { randomInt } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { describe, expect, test } from 'vitest';
import {
  editFile,
  field,
  LEVEL,
  readIfExists,
  readLines,
  recordRunCommand,
  startCtmpl,
  TEMPLATES,
  writeInPlace,
  type Daemon,
  type LogLine,
} from '../support/ctmpl.js';
import { freePort } from '../support/ports.js';
import { registerCleanup, tempDir } from '../support/tmp.js';

/** One `server` line per passing web instance. */
const WEB_TEMPLATE = '# web v1\n{{#each (service "web")}}server {{hostPort Address Port}};\n{{/each}}';
const API_TEMPLATE = '# api\n{{#each (service "api")}}server {{hostPort Address Port}};\n{{/each}}';

/** A catalog with one web instance on `webPort` (and an api instance). */
function catalogText(webPort: number): string {
  return stringify({
    services: {
      web: [{ id: 'web-1', address: '10.0.0.1', port: webPort }],
      api: [{ id: 'api-1', address: '2001:db8::1', port: 9000 }],
    },
  });
}

interface Workspace {
  readonly dir: string;
  readonly catalog: string;
  readonly template: string;
  readonly out: string;
  /** One line per command run (see recordRunCommand). */
  readonly runs: string;
}

async function workspace(): Promise<Workspace> {
  const dir = await tempDir();
  const ws = { dir, catalog: join(dir, 'catalog.yaml'), template: join(dir, 'web.hbs'), out: join(dir, 'web.conf'), runs: join(dir, 'runs.log') };
  await writeFile(ws.catalog, catalogText(80));
  await writeFile(ws.template, WEB_TEMPLATE);
  return ws;
}

/** Waits until the command has run `count` times in all; fails if it ran more often. */
async function expectRuns(daemon: Daemon, runs: string, count: number): Promise<string[]> {
  const lines = await daemon.waitFor(async () => {
    const lines = await readLines(runs);
    return lines.length >= count ? lines : undefined;
  }, { what: `${count} command run(s)` });
  expect(lines, 'command runs').toHaveLength(count);
  return lines;
}

/** Waits until the file's content satisfies `predicate`; returns that content. */
function waitForContent(daemon: Daemon, path: string, predicate: (text: string) => boolean, what: string, intervalMs?: number): Promise<string> {
  return daemon.waitFor(
    async () => {
      const text = await readIfExists(path);
      return text !== undefined && predicate(text) ? text : undefined;
    },
    { what, ...(intervalMs === undefined ? {} : { intervalMs }) },
  );
}

/** ctmpl watching the workspace's catalog and template with no quiescence; returns once the first render's command ran. */
async function startWatching(ws: Workspace, extra: readonly string[] = []): Promise<Daemon> {
  const daemon = startCtmpl(['--source', `file:${ws.catalog}`, '-t', `${ws.template}:${ws.out}`, '-c', recordRunCommand(ws.runs), '--wait', '0', ...extra], {
    cwd: ws.dir,
  });
  await expectRuns(daemon, ws.runs, 1);
  return daemon;
}

const isError = (msg: string) => (l: LogLine) => l.level >= LEVEL.error && l.msg.includes(msg);

async function mtimeNs(path: string): Promise<bigint> {
  return (await stat(path, { bigint: true })).mtimeNs;
}

describe('daemon mode (--wait 0)', () => {
  test('editing the catalog rewrites the output, and the command runs exactly once per edit', async () => {
    const ws = await workspace();
    const daemon = await startWatching(ws);
    expect(await readIfExists(ws.out)).toBe('# web v1\nserver 10.0.0.1:80;\n');

    for (const [i, port] of [81, 82, 83].entries()) {
      await editFile(ws.catalog, catalogText(port));
      await waitForContent(daemon, ws.out, (t) => t.includes(`:${port};`), `the output to show port ${port}`);
      await expectRuns(daemon, ws.runs, i + 2);
    }

    expect(await readIfExists(ws.out)).toBe('# web v1\nserver 10.0.0.1:83;\n');
    expect(await readLines(ws.runs)).toEqual(Array.from({ length: 4 }, () => `1|${ws.out}`));
    expect(daemon.logs().filter((l) => l.msg === 'wrote file')).toHaveLength(4);
  });

  test('a catalog rewritten in place (truncate and write, as `cat > catalog.yaml` does) is picked up as well', async () => {
    const ws = await workspace();
    const daemon = await startWatching(ws);

    for (const port of [81, 82]) {
      await writeInPlace(ws.catalog, catalogText(port));
      await waitForContent(daemon, ws.out, (t) => t.includes(`:${port};`), `the output to show port ${port}`);
    }
  });

  test('a catalog file that is empty for a moment (an in-place rewrite, seen between truncate and write) does not empty the output', async () => {
    const ws = await workspace();
    const daemon = await startWatching(ws);

    // What a reader can see while `cat > catalog.yaml` or fs.writeFile is under way: zero bytes.
    await writeInPlace(ws.catalog, '');
    // Barrier: the write completes (here, a real change); once it renders, the empty state has been handled.
    await writeInPlace(ws.catalog, catalogText(81));
    await waitForContent(daemon, ws.out, (t) => t.includes(':81;'), 'the completed write');
    await expectRuns(daemon, ws.runs, 2);

    const written = daemon.logs().filter((l) => l.msg === 'wrote file');
    expect(written, 'renders: the first one and the completed write, nothing in between').toHaveLength(2);
    expect(await readIfExists(ws.out)).toBe('# web v1\nserver 10.0.0.1:81;\n');
  });

  describe('rewriting the catalog with the same data runs nothing and leaves the output file alone', () => {
    /**
     * Two templates with their own commands: web (reads the catalog) and a barrier template that
     * reads nothing. After the no-op catalog write, an edit of the barrier template must render and
     * run the barrier command: ctmpl has processed what came before, and web must not have moved.
     */
    async function setup(): Promise<{ ws: Workspace; daemon: Daemon; barrier: string; barrierOut: string }> {
      const ws = await workspace();
      const barrier = join(ws.dir, 'barrier.hbs');
      const barrierOut = join(ws.dir, 'barrier.txt');
      await writeFile(barrier, 'barrier v1\n');
      const daemon = startCtmpl(
        [
          '--source',
          `file:${ws.catalog}`,
          '-t',
          `${ws.template}:${ws.out}:echo web >> ${ws.runs}`,
          '-t',
          `${barrier}:${barrierOut}:echo barrier >> ${ws.runs}`,
          '--wait',
          '0',
        ],
        { cwd: ws.dir },
      );
      await expectRuns(daemon, ws.runs, 2);
      return { ws, daemon, barrier, barrierOut };
    }

    async function expectNothingHappened(ctx: Awaited<ReturnType<typeof setup>>, webMtime: bigint, webContent: string): Promise<void> {
      await editFile(ctx.barrier, 'barrier v2\n');
      await waitForContent(ctx.daemon, ctx.barrierOut, (t) => t === 'barrier v2\n', 'the barrier template to render');
      const runs = await expectRuns(ctx.daemon, ctx.ws.runs, 3);
      expect(runs.filter((r) => r === 'web'), 'web command runs').toHaveLength(1);
      expect(await mtimeNs(ctx.ws.out)).toBe(webMtime);
      expect(await readIfExists(ctx.ws.out)).toBe(webContent);
    }

    test('the same bytes', async () => {
      const ctx = await setup();
      const before = await mtimeNs(ctx.ws.out);
      const content = await readIfExists(ctx.ws.out);

      await editFile(ctx.ws.catalog, catalogText(80));

      await expectNothingHappened(ctx, before, content ?? '');
    });

    test('the same data reformatted (JSON, other key and instance order, comments)', async () => {
      const ctx = await setup();
      const before = await mtimeNs(ctx.ws.out);
      const content = await readIfExists(ctx.ws.out);

      await editFile(
        ctx.ws.catalog,
        [
          '# the same catalog, written differently',
          '{"services": {',
          '  "api": [{"port": 9000, "address": "2001:db8::1", "id": "api-1", "status": "passing"}],',
          '  "web": [{"port": "80", "id": "web-1", "address": "10.0.0.1", "tags": []}]',
          '}, "datacenter": "dc1"}',
          '',
        ].join('\n'),
      );

      await expectNothingHappened(ctx, before, content ?? '');
    });
  });

  describe('quick successive edits are not lost (chokidar drops a change within 50 ms of the previous one)', () => {
    test('two catalog edits back to back: the output ends up reflecting the last one', async () => {
      const ws = await workspace();
      const daemon = await startWatching(ws);

      // As a script or a config-management run would write them.
      await editFile(ws.catalog, catalogText(81), { spacing: false });
      await editFile(ws.catalog, catalogText(82), { spacing: false });

      await waitForContent(daemon, ws.out, (t) => t.includes(':82;'), 'the output to show the last edit (port 82)');
    });

    test('a catalog edit right after the previous one was rendered is rendered too', async () => {
      const ws = await workspace();
      const daemon = await startWatching(ws);

      await editFile(ws.catalog, catalogText(81), { spacing: false });
      await waitForContent(daemon, ws.out, (t) => t.includes(':81;'), 'the first edit', 1);
      await editFile(ws.catalog, catalogText(82), { spacing: false });

      await waitForContent(daemon, ws.out, (t) => t.includes(':82;'), 'the output to show the second edit (port 82)');
      await expectRuns(daemon, ws.runs, 3);
    });

    test('a template edit right after the previous one was rendered is rendered too', async () => {
      const ws = await workspace();
      const daemon = await startWatching(ws);

      await editFile(ws.template, WEB_TEMPLATE.replace('v1', 'v2'), { spacing: false });
      await waitForContent(daemon, ws.out, (t) => t.startsWith('# web v2\n'), 'the first template edit', 1);
      await editFile(ws.template, WEB_TEMPLATE.replace('v1', 'v3'), { spacing: false });

      await waitForContent(daemon, ws.out, (t) => t.startsWith('# web v3\n'), 'the output to show the second template edit (v3)');
      await expectRuns(daemon, ws.runs, 3);
    });
  });

  test('a broken catalog edit keeps the last good output, logs the file with line:column, and the next valid edit renders again', async () => {
    const ws = await workspace();
    const daemon = await startWatching(ws);
    const good = await readIfExists(ws.out);
    const goodMtime = await mtimeNs(ws.out);

    // Invalid YAML: the last line is indented one space too little (line 5, column 1).
    await editFile(ws.catalog, 'services:\n  web:\n    - address: 10.0.0.1\n      port: 81\n     tags: [a]\n');
    const yamlError = await daemon.waitForLog(isError('is invalid; keeping the last good catalog'), { what: 'the invalid-YAML error' });
    expect(field(yamlError, 'err')).toContain(`${ws.catalog}:5:1: `);

    // Valid YAML, invalid catalog: a port out of range (line 4, column 13).
    await editFile(ws.catalog, 'services:\n  web:\n    - address: 10.0.0.1\n      port: 70000\n');
    const portError = await daemon.waitForLog((l) => isError('is invalid; keeping the last good catalog')(l) && field(l, 'err').includes('port'), {
      what: 'the bad-port error',
    });
    expect(field(portError, 'err')).toContain(`${ws.catalog}:4:13: services.web.0.port`);

    expect(await readIfExists(ws.out)).toBe(good);
    expect(await mtimeNs(ws.out)).toBe(goodMtime);
    expect(await readLines(ws.runs)).toHaveLength(1);

    await editFile(ws.catalog, catalogText(82));
    await waitForContent(daemon, ws.out, (t) => t.includes(':82;'), 'the output to show the valid edit');
    await expectRuns(daemon, ws.runs, 2);
  });

  test('each broken catalog edit is reported once', async () => {
    const ws = await workspace();
    const daemon = await startWatching(ws);

    await editFile(ws.catalog, 'services:\n  web:\n    - address: 10.0.0.1\n      port: 81\n     tags: [a]\n');
    await daemon.waitForLog(isError('is invalid; keeping the last good catalog'), { what: 'the error' });
    // Barrier: a valid edit renders, so everything ctmpl did about the broken one is logged by now.
    await editFile(ws.catalog, catalogText(82));
    await waitForContent(daemon, ws.out, (t) => t.includes(':82;'), 'the valid edit');

    const reports = daemon.logs().filter(isError('is invalid; keeping the last good catalog'));
    expect(reports.map((l) => field(l, 'err').split('\n')[0])).toEqual([`${ws.catalog}:5:1: Sequence item without - indicator`]);
  });

  test('a template edit with a syntax error keeps the last good output and logs line:column; fixing it re-renders', async () => {
    const ws = await workspace();
    const daemon = await startWatching(ws);
    const good = await readIfExists(ws.out);

    // "each" (line 2, column 4) is closed by {{/if}}.
    await editFile(ws.template, '# web v2\n{{#each (service "web")}}server {{hostPort Address Port}};\n{{/if}}');
    const error = await daemon.waitForLog(isError('template has errors; keeping the last good output'), { what: 'the template error' });
    expect(field(error, 'template')).toBe(ws.template);
    expect(field(error, 'err')).toContain(`${ws.template}:2:4: template syntax error`);
    expect(await readIfExists(ws.out)).toBe(good);
    expect(await readLines(ws.runs)).toHaveLength(1);

    await editFile(ws.template, WEB_TEMPLATE.replace('v1', 'v2'));
    await waitForContent(daemon, ws.out, (t) => t === '# web v2\nserver 10.0.0.1:80;\n', 'the fixed template to render');
    await expectRuns(daemon, ws.runs, 2);
  });

  test('SIGTERM while a long command runs: ctmpl stops within a few seconds and no process of the command tree survives', async () => {
    const ws = await workspace();
    // A unique duration marks this test's processes (sleep accepts fractional seconds).
    const marker = `31.337${randomInt(1_000_000, 9_999_999)}`;
    const pgrep = async (exact: boolean): Promise<number[]> => {
      const result = await execa('pgrep', exact ? ['-x', '-f', `sleep ${marker}`] : ['-f', marker], { reject: false });
      return String(result.stdout).split('\n').filter((l) => l !== '').map(Number);
    };
    // If the test fails half-way, do not leave this test's sleeps behind (found by the unique marker, killed by pid).
    registerCleanup(async () => {
      for (const pid of await pgrep(false)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    });
    const daemon = startCtmpl(
      ['--source', `file:${ws.catalog}`, '-t', `${ws.template}:${ws.out}`, '-c', `sleep ${marker} & sleep ${marker}; wait`, '--wait', '0', '--command-timeout', '2m'],
      { cwd: ws.dir },
    );
    await daemon.waitFor(async () => (await pgrep(true)).length === 2, { what: 'both sleeps of the command to run' });

    const started = Date.now();
    daemon.signal('SIGTERM');
    const exit = await daemon.waitFor(() => daemon.exit, { timeoutMs: 5000, what: 'ctmpl to exit after SIGTERM' });
    const elapsed = Date.now() - started;

    expect(exit).toEqual({ exitCode: 0, signal: undefined });
    expect(elapsed).toBeLessThan(5000);
    expect(await pgrep(false), 'processes left from the command tree').toEqual([]);
    expect(daemon.logs().some((l) => l.msg === 'stopping')).toBe(true);
  });
});

describe('the default source (no --source) is Consul at CONSUL_HTTP_ADDR', () => {
  test('when nothing answers there, ctmpl logs an error naming Consul and the address, writes nothing, and keeps running', async () => {
    const dir = await tempDir();
    const port = await freePort(); // nothing listens on it
    const out = join(dir, 'upstreams.conf');
    const daemon = startCtmpl(['-t', `${join(TEMPLATES, 'nginx-upstream.hbs')}:${out}`], { cwd: dir, env: { CONSUL_HTTP_ADDR: `127.0.0.1:${port}` } });

    const error = await daemon.waitForLog((l) => l.level >= LEVEL.error && l.msg.includes('Consul'), { what: 'an error about Consul' });
    expect(error.msg).toContain(`127.0.0.1:${port}`);
    expect(daemon.exit).toBeUndefined();
    expect(await readIfExists(out)).toBeUndefined();
  });
});

describe('SIGHUP re-reads the config file', () => {
  async function configWorkspace(): Promise<{ ws: Workspace; config: string; api: string; apiOut: string; daemon: Daemon; baseConfig: string }> {
    const ws = await workspace();
    const config = join(ws.dir, 'ctmpl.yaml');
    const api = join(ws.dir, 'api.hbs');
    await writeFile(api, API_TEMPLATE);
    const baseConfig = `sources: [file:catalog.yaml]\nwait: 0\ncommand: ${JSON.stringify(recordRunCommand(ws.runs))}\ntemplates:\n  - source: web.hbs\n    destination: web.conf\n`;
    await writeFile(config, baseConfig);
    const daemon = startCtmpl(['--config', config], { cwd: ws.dir });
    await expectRuns(daemon, ws.runs, 1);
    return { ws, config, api, apiOut: join(ws.dir, 'api.conf'), daemon, baseConfig };
  }

  test('a template added to the list is rendered; the unchanged destination is not rewritten', async () => {
    const { ws, config, apiOut, daemon, baseConfig } = await configWorkspace();
    const webMtime = await mtimeNs(ws.out);

    await writeFile(config, `${baseConfig}  - source: api.hbs\n    destination: api.conf\n`);
    daemon.signal('SIGHUP');

    await waitForContent(daemon, apiOut, (t) => t === '# api\nserver [2001:db8::1]:9000;\n', 'the new destination');
    await daemon.waitForLog((l) => l.msg === 'SIGHUP: configuration and templates reloaded', { what: 'the reload log line' });
    const runs = await expectRuns(daemon, ws.runs, 2);
    expect(runs[1]).toBe(`1|${apiOut}`);
    expect(await mtimeNs(ws.out)).toBe(webMtime);
  });

  test('a broken config is rejected with its position, and the daemon keeps running on the old one', async () => {
    const { ws, config, daemon, baseConfig } = await configWorkspace();

    await writeFile(config, `${baseConfig}reload: yes\n`); // unknown key on line 7
    daemon.signal('SIGHUP');

    const rejected = await daemon.waitForLog(isError('SIGHUP: new configuration rejected'), { what: 'the rejection' });
    expect(field(rejected, 'err')).toMatch(new RegExp(`${config.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:7:\\d+: unknown key "reload"`));
    expect(daemon.exit).toBeUndefined();

    // Still watching with the old configuration.
    await editFile(ws.catalog, catalogText(81));
    await waitForContent(daemon, ws.out, (t) => t.includes(':81;'), 'a catalog edit after the rejected reload');
    await expectRuns(daemon, ws.runs, 2);
  });

  test('a config whose new template does not compile is rejected, and the daemon keeps running on the old one', async () => {
    const { ws, config, api, apiOut, daemon, baseConfig } = await configWorkspace();

    await writeFile(api, '{{#each (service "api")}}\n');
    await writeFile(config, `${baseConfig}  - source: api.hbs\n    destination: api.conf\n`);
    daemon.signal('SIGHUP');

    const rejected = await daemon.waitForLog(isError('SIGHUP: new configuration rejected'), { what: 'the rejection' });
    expect(field(rejected, 'err')).toContain(`${api}:2:1: template syntax error`);

    await editFile(ws.catalog, catalogText(81));
    await waitForContent(daemon, ws.out, (t) => t.includes(':81;'), 'a catalog edit after the rejected reload');
    expect(await readIfExists(apiOut)).toBeUndefined();
  });
});

describe('--config FILE with flags', () => {
  test('a flag overrides the file: --wait 0 beats the file\'s wait: 30s', async () => {
    const ws = await workspace();
    const config = join(ws.dir, 'ctmpl.yaml');
    await writeFile(config, `sources: [file:catalog.yaml]\nwait: 30s\ntemplates:\n  - source: web.hbs\n    destination: web.conf\n`);
    const daemon = startCtmpl(['--config', config, '--wait', '0'], { cwd: ws.dir });
    await waitForContent(daemon, ws.out, (t) => t.includes(':80;'), 'the first render');

    await editFile(ws.catalog, catalogText(81));

    // With the file's 30 s of quiescence this could not happen within the 5 s deadline.
    await waitForContent(daemon, ws.out, (t) => t.includes(':81;'), 'the edit to render without waiting 30 s');
  });
});
