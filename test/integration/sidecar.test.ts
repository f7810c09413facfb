/**
 * deploy/ for real:
 * - the ctmpl image built from deploy/Dockerfile with podman; the compose sidecar example
 *   (deploy/docker-compose.yml) run end to end with docker-compose against podman's API: Consul,
 *   nginx and ctmpl as its sidecar (shared volume, nginx's PID namespace), two tiny HTTP backends
 *   registered and deregistered in Consul, the reload, /healthz, `podman stop`; and the Kubernetes
 *   manifest played by `podman kube play` on the same network. It needs
 *   `bash test/support/podman/setup.sh` first and runs in `npm test` as the vitest project
 *   "sidecar" (which sets CTMPL_SIDECAR_TEST=1; `npx vitest run --project sidecar` alone). When
 *   podman cannot run, it fails and says what to do.
 * - deploy/k8s/ctmpl-sidecar.yaml checked structurally (always runs).
 * Development aid: CTMPL_SIDECAR_CONTEXT=DIR builds the image from DIR (e.g. a clone of the last
 * commit) instead of this repository; the deploy files always come from this repository.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse, stringify } from 'yaml';
import { ROOT, waitFor } from '../support/ctmpl.js';
import { ComposeProject } from '../support/podman/compose.js';
import { exec, httpGet, httpJson, inspect, logs, nginxProcesses, sighupSenders } from '../support/podman/containers.js';
import { asRecord as record, forPodmanPlay, type Mount, parseManifest, playKube, type Container } from '../support/podman/k8s.js';
import { localImages } from '../support/podman/local-images.js';
import { assertPodmanUsable, buildImage, hostBuildSettings, mustPodman, podman, startApiService, startHealthTicker } from '../support/podman/podman.js';
import { freePorts } from '../support/ports.js';
import { tempDir } from '../support/tmp.js';

const DEPLOY = join(ROOT, 'deploy');
const MANIFEST = join(DEPLOY, 'k8s', 'ctmpl-sidecar.yaml');
const CONTEXT = process.env.CTMPL_SIDECAR_CONTEXT ?? ROOT;
const RUN_CONTAINERS = process.env.CTMPL_SIDECAR_TEST === '1';
/** A backend that answers every request with its name (no spaces: podman 4.3 splits some arguments). */
const BACKEND_SCRIPT = "require('http').createServer((q,s)=>s.end(process.env.BACKEND+'\\n')).listen(8080)";
/** Prints `STATUS BODY` of a GET, from inside a container that has node. */
const fetchScript = (url: string): string => `fetch('${url}').then(async(r)=>console.log(r.status,await(r.text())),(e)=>console.log('ERR',e.cause?.code??e.message))`;

describe.skipIf(!RUN_CONTAINERS)('the compose sidecar example and the Kubernetes manifest, run with podman (vitest project sidecar)', () => {
  const id = `${process.pid}${Date.now().toString(36)}`;
  const imageTag = `localhost/ctmpl-sidecar-test:${id}`;
  const figures: Record<string, string> = {};
  const started = performance.now();
  /** Undone last first, passed or failed. */
  const teardown: { what: string; undo: () => Promise<unknown> }[] = [];
  let project: ComposeProject;
  let images: Awaited<ReturnType<typeof localImages>>;
  let dir = '';
  let httpPort = 0;
  let consulPort = 0;

  const nginxUrl = (path: string): string => `http://127.0.0.1:${httpPort}${path}`;
  const consulUrl = (path: string): string => `http://127.0.0.1:${consulPort}${path}`;
  const register = (name: string): Promise<string> => httpJson('PUT', consulUrl('/v1/agent/service/register'), { ID: name, Name: 'api', Address: name, Port: 8080 });
  const deregister = (name: string): Promise<string> => httpJson('PUT', consulUrl(`/v1/agent/service/deregister/${name}`));

  async function diagnostics(containers: readonly string[]): Promise<string> {
    return (await Promise.all(containers.map(async (c) => `--- ${c}:\n${(await logs(c)).slice(-3000)}`))).join('\n');
  }

  /** waitFor, with the containers' logs in the failure message. */
  async function waitOrExplain<T>(probe: () => Promise<T | undefined | false>, what: string, containers?: readonly string[], timeoutMs = 45_000): Promise<T> {
    try {
      return await waitFor(probe, { timeoutMs, intervalMs: 250, what });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${await diagnostics(containers ?? ['ctmpl', 'nginx', 'consul'].map((s) => project.container(s)))}`);
    }
  }

  /** The distinct answers of `count` requests to /api/ (nginx balances round robin). */
  async function apiBodies(count = 12): Promise<string[]> {
    const bodies = new Set<string>();
    for (let i = 0; i < count; i += 1) {
      const answer = await httpGet(nginxUrl('/api/'));
      bodies.add(answer.status === 200 ? answer.body.trim() : `HTTP ${answer.status}`);
    }
    return [...bodies].sort();
  }

  beforeAll(async () => {
    images = await localImages(DEPLOY);
    await assertPodmanUsable([...new Set([...Object.values(images.services), images.nodeImage])]);
    dir = await tempDir('ctmpl-sidecar-');
    const dockerHost = await startApiService(dir);

    // The image, as compose's `build:` would make it, on the local Node base.
    const host = await hostBuildSettings();
    teardown.push({ what: `remove ${imageTag}`, undo: () => podman(['rmi', '-f', imageTag]) });
    const buildMs = await buildImage({
      context: CONTEXT,
      dockerfile: join(DEPLOY, 'Dockerfile'),
      tag: imageTag,
      buildArgs: { NODE_IMAGE: images.nodeImage, EXTRA_CA_CERTS: host.extraCaCerts, npm_config_registry: host.npmRegistry },
    });
    figures.build = `${(buildMs / 1000).toFixed(1)} s (no layer cache)`;

    // The example as users run it, plus the stand-in images, this build and two backends.
    const override = join(dir, 'test-override.yml');
    const backend = (name: string): unknown => ({ image: images.nodeImage, entrypoint: ['node', '-e', BACKEND_SCRIPT], environment: { BACKEND: name } });
    await writeFile(override, stringify({ services: { ctmpl: { image: imageTag }, 'api-1': backend('api-1'), 'api-2': backend('api-2') } }));
    [httpPort, consulPort] = (await freePorts(2)) as [number, number];
    project = new ComposeProject({
      files: [join(DEPLOY, 'docker-compose.yml'), join(DEPLOY, 'sidecar', 'local-images.yml'), override],
      project: `ctmplsidecar${id}`,
      dockerHost,
      variables: { SIDECAR_HTTP_PORT: String(httpPort), SIDECAR_CONSUL_PORT: String(consulPort) },
    });

    // What systemd would do on a podman host that has it: run the healthchecks, or compose waits
    // for `condition: service_healthy` forever.
    teardown.push({ what: 'compose down', undo: () => project.down() });
    const ticker = startHealthTicker([project.container('consul')]);
    teardown.push({ what: 'stop the healthcheck runs', undo: () => ticker.stop() });
    const upStarted = Date.now();
    figures['compose up'] = `${((await project.up()) / 1000).toFixed(1)} s`;
    await waitOrExplain(async () => (await httpGet(nginxUrl('/web/')).catch(() => undefined))?.status === 200, 'nginx to serve /web/ through the rendered upstream', undefined, 90_000);
    figures['up → /web/ served'] = `${((Date.now() - upStarted) / 1000).toFixed(1)} s`;
    const firstWrite = (await logs(project.container('ctmpl'))).split('\n').find((l) => l.includes('"msg":"wrote file"'));
    if (firstWrite !== undefined) figures['up → first render'] = `${((Date.parse(String(record(JSON.parse(firstWrite), 'log line').time)) - upStarted) / 1000).toFixed(1)} s`;
  }, 900_000);

  afterAll(async () => {
    const errors: unknown[] = [];
    for (const { what, undo } of teardown.reverse()) {
      await undo().catch((err: unknown) => errors.push(new Error(`${what}: ${String(err)}`)));
    }
    // Nothing of the run is left: no container, volume or network of the project, not the image.
    if (project !== undefined) {
      const left = await project.leftovers();
      if (left.length > 0) errors.push(new Error(`left behind: ${left.join(', ')}`));
    }
    if ((await podman(['image', 'exists', imageTag])).exitCode === 0) errors.push(new Error(`${imageTag} was not removed`));
    figures['test file'] = `${((performance.now() - started) / 1000).toFixed(1)} s`;
    console.log(`sidecar figures: ${JSON.stringify(figures)}`);
    if (errors.length > 0) throw new AggregateError(errors, `sidecar teardown failed: ${errors.map(String).join('; ')}`);
  }, 180_000);

  test('the image: non-root under tini, SIGTERM, the /healthz HEALTHCHECK; no npm, no devDependencies, no build CA; --version works', async () => {
    const image = await inspect('image', imageTag);
    const config = record(image.Config, 'Config');
    figures['image size'] = `${(Number(image.Size) / 1e6).toFixed(0)} MB`;
    expect(config.User).toBe('node');
    expect(config.Entrypoint).toEqual(['tini', '--', 'node', '/app/dist/src/bin.js']);
    expect(config.StopSignal).toBe('SIGTERM');
    // podman keeps a Docker-format image's HEALTHCHECK next to Config, not in it.
    const healthcheck = record(image.Healthcheck, 'Healthcheck').Test as string[];
    expect(healthcheck.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(healthcheck[3]).toContain('http://127.0.0.1:9123/healthz');

    expect((await mustPodman(['run', '--rm', '--entrypoint', 'id', imageTag, '-u'])).trim()).toBe('1000');
    const pkg = record(JSON.parse(await readFile(join(CONTEXT, 'package.json'), 'utf8')), 'package.json');
    expect((await mustPodman(['run', '--rm', imageTag, '--version'])).trim()).toBe(pkg.version);
    const absent = ['/usr/local/bin/npm', '/usr/local/lib/node_modules/npm', '/app/node_modules/typescript', '/app/node_modules/vitest', '/usr/local/share/ca-certificates/build-extra.crt'];
    const present = await mustPodman(['run', '--rm', '--entrypoint', 'sh', imageTag, '-c', `for f in ${absent.join(' ')}; do [ ! -e "$f" ] || echo "$f"; done; [ -w /app/dist/src/bin.js ] && echo "/app writable"; true`]);
    expect(present.trim(), 'left in the final image, or /app writable by ctmpl').toBe('');
  });

  test('nginx serves the web service through the upstream ctmpl rendered into the volume they share (read-only for nginx)', async () => {
    const page = await httpGet(nginxUrl('/web/'));
    expect(page.status).toBe(200);
    expect(page.body).toContain('Welcome to nginx!');
    const rendered = (await exec(project.container('ctmpl'), ['cat', '/etc/nginx/ctmpl/proxy.conf'])).stdout;
    expect(rendered).toMatch(/upstream web \{\s*server web:8080 /);
    expect((await exec(project.container('nginx'), ['cat', '/etc/nginx/ctmpl/proxy.conf'])).stdout).toBe(rendered);
    expect((await exec(project.container('nginx'), ['touch', '/etc/nginx/ctmpl/x'])).exitCode, 'the volume is read-only in nginx').not.toBe(0);
  });

  test("the sidecar runs as nginx's uid (101, not root) in nginx's PID namespace, where nginx's master is PID 1", async () => {
    expect((await exec(project.container('ctmpl'), ['id', '-u'])).stdout.trim()).toBe('101');
    const pid1 = (await exec(project.container('ctmpl'), ['cat', '/proc/1/cmdline'])).stdout.replace(/\0/g, ' ');
    expect(pid1).toMatch(/^nginx: master process/);
  });

  test('registering and deregistering backends in Consul changes what nginx serves; each change is a reload sent by the sidecar (same master, new workers)', async () => {
    const nginx = project.container('nginx');
    const before = await nginxProcesses(nginx);
    const sighupsBefore = sighupSenders(await logs(nginx)).length;
    const expectServed = (bodies: string[], what: string): Promise<boolean> => waitOrExplain(async () => JSON.stringify(await apiBodies()) === JSON.stringify(bodies), what);

    await register('api-1');
    await expectServed(['api-1'], '/api/ served by api-1');
    await register('api-2');
    await expectServed(['api-1', 'api-2'], '/api/ balanced over api-1 and api-2');
    await deregister('api-1');
    await expectServed(['api-2'], '/api/ served by api-2 only');
    await deregister('api-2');
    await expectServed(['HTTP 404'], 'the /api/ location gone with the service');

    // Each change reached nginx as a SIGHUP from another process of its PID namespace (the
    // sidecar's `kill -HUP 1`; nothing else signals it), and ctmpl ran its command as often.
    const after = await waitOrExplain(async () => {
      const now = await nginxProcesses(nginx);
      return now.workers.length > 0 && now.workers.every((w) => !before.workers.includes(w)) ? now : undefined;
    }, 'the old workers to exit');
    expect(after.master, 'the master stays: a reload, not a restart').toBe(before.master);
    const ctmplLog = await logs(project.container('ctmpl'));
    const senders = sighupSenders(await logs(nginx));
    expect(senders.length - sighupsBefore, 'one reload per change at least').toBeGreaterThanOrEqual(4);
    for (const sender of senders) expect([after.master, ...before.workers, ...after.workers]).not.toContain(sender);
    const reloads = ctmplLog.split('\n').filter((l) => l.includes('"command":"kill -HUP 1"') && l.includes('"msg":"command succeeded"'));
    expect(reloads.length).toBe(senders.length);
  });

  test("/healthz answers 200 inside the sidecar, and `podman healthcheck run` (the image's HEALTHCHECK) reports healthy", async () => {
    const answer = await exec(project.container('ctmpl'), ['node', '-e', fetchScript('http://127.0.0.1:9123/healthz')]);
    expect(answer.stdout.trim()).toMatch(/^200 \{\s*"status": "ok"/);
    const check = await podman(['healthcheck', 'run', project.container('ctmpl')]);
    expect(check.exitCode, check.stdout + check.stderr).toBe(0);
    expect(record(record((await inspect('container', project.container('ctmpl'))).State, 'State').Health, 'State.Health').Status).toBe('healthy');
  });

  test("the Kubernetes manifest under `podman kube play`: the pause process is PID 1, the reload goes through nginx's pid file, both run as uid 101, /healthz on the pod's IP", async () => {
    const pausesBefore = (await mustPodman(['images', '-q', '--filter', 'reference=localhost/podman-pause'])).split('\n');
    const suffix = `-${id}`;
    const manifest = parseManifest(await readFile(MANIFEST, 'utf8'));
    const file = join(dir, 'k8s-play.yaml');
    await writeFile(file, forPodmanPlay(manifest, { images: { nginx: images.services.nginx ?? '', ctmpl: imageTag }, env: { ctmpl: { CONSUL_HTTP_ADDR: 'consul:8500' } }, suffix }));
    teardown.push({
      what: 'remove the pause image podman made',
      undo: async () => {
        const made = (await mustPodman(['images', '-q', '--filter', 'reference=localhost/podman-pause'])).split('\n').filter((i) => i !== '' && !pausesBefore.includes(i));
        if (made.length > 0) await podman(['rmi', '-f', ...made]);
      },
    });
    const played = await playKube(file, manifest, suffix, project.network());
    teardown.push({ what: 'remove the played pod', undo: () => played.remove() });
    const [ctmpl, nginx] = [played.container('ctmpl'), played.container('nginx')];
    const served = async (path: string): Promise<string> => (await exec(ctmpl, ['node', '-e', fetchScript(`http://127.0.0.1:8080${path}`)])).stdout.trim();

    await waitOrExplain(async () => (await served('/web/')).startsWith('200 '), 'the pod to serve /web/', [ctmpl, nginx]);
    expect((await exec(ctmpl, ['cat', '/proc/1/cmdline'])).stdout).not.toMatch(/nginx/);
    for (const container of [ctmpl, nginx]) expect((await exec(container, ['id', '-u'])).stdout.trim(), container).toBe('101');
    const before = await nginxProcesses(nginx);
    const sighups = sighupSenders(await logs(nginx)).length;
    await register('api-1');
    await waitOrExplain(async () => (await served('/api/')) === '200 api-1', 'the pod to serve /api/ from api-1', [ctmpl, nginx]);
    await deregister('api-1');
    expect(sighupSenders(await logs(nginx)).length).toBeGreaterThan(sighups);
    expect((await nginxProcesses(nginx)).master).toBe(before.master);
    expect((await logs(ctmpl)).match(/"command":"kill -HUP \\"\$\(cat \/run\/nginx\/nginx.pid\)\\"".*"msg":"command succeeded"/g)?.length).toBeGreaterThanOrEqual(2);

    // The kubelet's view: /healthz on the pod's address, not loopback.
    const healthz = await httpGet(`http://${await played.address()}:9123/healthz`);
    expect(healthz.status).toBe(200);
  });

  test('podman stop of the sidecar: SIGTERM, a clean exit well within the stop timeout, and nginx keeps serving', async () => {
    const stopTimeoutS = 10;
    const stop = await podman(['stop', '-t', String(stopTimeoutS), project.container('ctmpl')], { timeoutMs: 60_000 });
    expect(stop.exitCode, stop.stderr).toBe(0);
    figures['podman stop (sidecar)'] = `${(stop.durationMs / 1000).toFixed(2)} s`;
    expect(stop.durationMs, 'stopped by SIGTERM, not by the SIGKILL after the timeout').toBeLessThan(stopTimeoutS * 1000);
    const state = record((await inspect('container', project.container('ctmpl'))).State, 'State');
    expect([0, 143]).toContain(state.ExitCode);
    expect(await logs(project.container('ctmpl'))).toMatch(/"signal":"SIGTERM","msg":"stopping"/);
    const page = await httpGet(nginxUrl('/web/'));
    expect(page.status, 'nginx keeps serving the last rendered configuration').toBe(200);
  });
});

describe('deploy/k8s/ctmpl-sidecar.yaml', () => {
  const load = async (): Promise<ReturnType<typeof parseManifest>> => parseManifest(await readFile(MANIFEST, 'utf8'));
  const mountOf = (container: Container | undefined, volume: string): Mount | undefined => container?.volumeMounts.find((m) => m.name === volume);

  test('nginx and ctmpl in one pod with a shared process namespace; the rendered emptyDir read-write in ctmpl, read-only in nginx, included by nginx', async () => {
    const { byKind, deployment, pod, containers, volumes } = await load();
    const spec = record(deployment.spec, 'spec');
    expect(record(record(spec.template, 'template').metadata, 'metadata').labels).toMatchObject(record(record(spec.selector, 'selector').matchLabels, 'matchLabels'));
    expect(pod.shareProcessNamespace).toBe(true);
    expect([...containers.keys()].sort()).toEqual(['ctmpl', 'nginx']);
    const [nginx, ctmpl] = [containers.get('nginx'), containers.get('ctmpl')];
    expect(volumes.get('rendered')?.emptyDir, 'rendered is an emptyDir').toBeDefined();
    const [inCtmpl, inNginx] = [mountOf(ctmpl, 'rendered'), mountOf(nginx, 'rendered')];
    expect(inCtmpl?.readOnly ?? false).toBe(false);
    expect(inNginx?.readOnly).toBe(true);
    expect(inNginx?.mountPath).toBe(inCtmpl?.mountPath);

    // ctmpl's settings and template: a ConfigMap mounted where --config points; its one template
    // writes into the shared volume and is the compose example's template.
    const configMapOf = (volume: string | undefined): Record<string, unknown> => byKind('ConfigMap', String(record(record(volumes.get(volume ?? ''), `volume ${volume ?? ''}`).configMap, 'configMap').name));
    const args = ctmpl?.args as string[];
    const configPath = args[args.indexOf('--config') + 1] ?? '';
    const settingsMount = ctmpl?.volumeMounts.find((m) => configPath.startsWith(`${m.mountPath}/`));
    expect(settingsMount, `${configPath} is mounted`).toBeDefined();
    const data = record(configMapOf(settingsMount?.name).data, 'data');
    const settings = record(parse(String(data[configPath.slice((settingsMount?.mountPath.length ?? 0) + 1)])), 'ctmpl.yaml');
    const templates = (settings.templates as unknown[]).map((t) => record(t, 'template'));
    expect(templates).toHaveLength(1);
    expect(String(templates[0]?.destination).startsWith(`${inCtmpl?.mountPath ?? ''}/`)).toBe(true);
    expect(data[String(templates[0]?.source)]).toBe(await readFile(join(DEPLOY, 'sidecar', 'ctmpl', 'proxy.conf.hbs'), 'utf8'));

    // nginx's conf.d is a ConfigMap that includes what ctmpl renders.
    const confMount = nginx?.volumeMounts.find((m) => m.mountPath === '/etc/nginx/conf.d');
    expect(String(record(configMapOf(confMount?.name).data, 'data')['default.conf'])).toContain(`include ${inNginx?.mountPath ?? ''}/*.conf;`);
  });

  test("the reload signals nginx's master through its pid file (PID 1 is the pause process), as nginx's uid; both containers non-root without privileges", async () => {
    const { byKind, pod, containers } = await load();
    const settings = record(parse(String(record(byKind('ConfigMap', 'ctmpl-sidecar').data, 'data')['ctmpl.yaml'])), 'ctmpl.yaml');
    const pidFile = /^kill -HUP "\$\(cat (\/\S+)\)"$/.exec(String(settings.command))?.[1] ?? '';
    expect(pidFile, String(settings.command)).not.toBe('');
    // The pid file's directory in ctmpl is a volume nginx has at /tmp (nginx-unprivileged: pid /tmp/nginx.pid).
    const pidMount = containers.get('ctmpl')?.volumeMounts.find((m) => pidFile === `${m.mountPath}/nginx.pid`);
    expect(pidMount, `a volume mounted at the directory of ${pidFile}`).toBeDefined();
    expect(pidMount?.readOnly).toBe(true);
    expect(mountOf(containers.get('nginx'), pidMount?.name ?? '')?.mountPath).toBe('/tmp');

    const podSecurity = record(pod.securityContext, 'pod securityContext');
    expect(podSecurity.runAsNonRoot).toBe(true);
    expect(podSecurity.runAsUser).toBe(101);
    for (const container of containers.values()) {
      const security = record(container.securityContext, `${container.name} securityContext`);
      expect(security.runAsUser ?? podSecurity.runAsUser, `${container.name} runs as nginx's uid`).toBe(101);
      expect(security.allowPrivilegeEscalation, container.name).toBe(false);
      expect(security.readOnlyRootFilesystem, container.name).toBe(true);
      expect(record(security.capabilities, 'capabilities').drop, container.name).toEqual(['ALL']);
    }
  });

  test('ctmpl: startup and liveness probes on /healthz at the port it listens on (not loopback, which the kubelet cannot reach); Consul from the environment', async () => {
    const ctmpl = (await load()).containers.get('ctmpl') as Container;
    const args = ctmpl.args as string[];
    const [host, port] = (args[args.indexOf('--listen') + 1] ?? '').split(':');
    expect(host).not.toMatch(/^127\./);
    const ports = new Map((ctmpl.ports as Record<string, unknown>[]).map((p) => [String(p.name), Number(p.containerPort)]));
    for (const probe of ['startupProbe', 'livenessProbe']) {
      const get = record(record(ctmpl[probe], probe).httpGet, `${probe}.httpGet`);
      expect(get.path, probe).toBe('/healthz');
      expect(typeof get.port === 'number' ? get.port : ports.get(String(get.port)), probe).toBe(Number(port));
    }
    const env = new Map((ctmpl.env as Record<string, unknown>[]).map((e) => [String(e.name), e]));
    expect(String(env.get('CONSUL_HTTP_ADDR')?.value)).toMatch(/:8500$/);
  });
});
