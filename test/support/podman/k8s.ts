/**
 * deploy/k8s/ctmpl-sidecar.yaml for the tests: its objects located by kind, its pod spec, and a copy
 * that `podman kube play` (4.3) can run on this machine.
 */
import { parseAllDocuments, stringify } from 'yaml';
import { mustPodman, podman } from './podman.js';

export type Json = Record<string, unknown>;

export interface Mount {
  readonly name: string;
  readonly mountPath: string;
  readonly readOnly?: boolean;
}

export type Container = Json & { name: string; volumeMounts: Mount[] };

export interface SidecarManifest {
  readonly objects: Json[];
  /** The one object of a kind (and name); throws when there is not exactly one. */
  byKind(kind: string, name?: string): Json;
  readonly deployment: Json;
  readonly pod: Json;
  readonly containers: ReadonlyMap<string, Container>;
  readonly volumes: ReadonlyMap<string, Json>;
}

export function asRecord(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} is not a mapping: ${JSON.stringify(value)}`);
  return value as Json;
}

/** Parses the manifest; throws on a YAML error. */
export function parseManifest(text: string): SidecarManifest {
  const docs = parseAllDocuments(text);
  const errors = docs.flatMap((d) => d.errors.map((e) => e.message));
  if (errors.length > 0) throw new Error(`YAML errors: ${errors.join('; ')}`);
  const objects = docs.map((d, i) => asRecord(d.toJS(), `document ${i + 1}`));
  const byKind = (kind: string, name?: string): Json => {
    const found = objects.filter((o) => o.kind === kind && (name === undefined || asRecord(o.metadata, 'metadata').name === name));
    if (found.length !== 1) throw new Error(`expected one ${kind}${name === undefined ? '' : ` named ${name}`}, found ${found.length}`);
    return found[0] as Json;
  };
  const deployment = byKind('Deployment');
  const pod = asRecord(asRecord(asRecord(deployment.spec, 'spec').template, 'spec.template').spec, 'pod spec');
  const containers = new Map((pod.containers as Container[]).map((c) => [c.name, c]));
  const volumes = new Map((pod.volumes as Json[]).map((v) => [String(v.name), v]));
  return { objects, byKind, deployment, pod, containers, volumes };
}

export interface PlayOptions {
  /** Container name → the image to run instead (no registry here). */
  readonly images: Readonly<Record<string, string>>;
  /** Container name → environment values to set (replacing the manifest's). */
  readonly env: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Appended to the names of the Deployment and ConfigMaps: podman keeps a ConfigMap as a volume of that name. */
  readonly suffix: string;
}

/**
 * A copy podman 4.3 can play: one replica, local images, per-run names, and no `valueFrom` in env
 * (podman supports no `status.hostIP`; the values in `options.env` stand in for them).
 */
export function forPodmanPlay(manifest: SidecarManifest, options: PlayOptions): string {
  const copy = structuredClone(manifest.objects);
  const renamed = (name: unknown): string => `${String(name)}${options.suffix}`;
  for (const object of copy) {
    const metadata = asRecord(object.metadata, 'metadata');
    metadata.name = renamed(metadata.name);
    if (object.kind !== 'Deployment') continue;
    const spec = asRecord(object.spec, 'spec');
    spec.replicas = 1;
    const pod = asRecord(asRecord(spec.template, 'template').spec, 'pod spec');
    for (const volume of pod.volumes as Json[]) {
      if (volume.configMap !== undefined) asRecord(volume.configMap, 'configMap').name = renamed(asRecord(volume.configMap, 'configMap').name);
    }
    for (const container of pod.containers as Container[]) {
      container.image = options.images[container.name] ?? container.image;
      const values = options.env[container.name] ?? {};
      const env = ((container.env ?? []) as Json[]).filter((e) => e.valueFrom === undefined && !(String(e.name) in values));
      container.env = [...env, ...Object.entries(values).map(([name, value]) => ({ name, value }))];
    }
  }
  return copy.map((o) => stringify(o)).join('---\n');
}

export interface PlayedPod {
  readonly pod: string;
  /** The container of a manifest container name. */
  container(name: string): string;
  /** The pod's IP address on `network`. */
  address(): Promise<string>;
  /** Removes the pod and the volumes podman made of the ConfigMaps. */
  remove(): Promise<void>;
}

/** `podman kube play` on `network`; the pod is named after the Deployment. */
export async function playKube(file: string, manifest: SidecarManifest, suffix: string, network: string): Promise<PlayedPod> {
  const pod = `${String(asRecord(manifest.deployment.metadata, 'metadata').name)}${suffix}-pod-0`;
  const configMaps = manifest.objects.filter((o) => o.kind === 'ConfigMap').map((o) => `${String(asRecord(o.metadata, 'metadata').name)}${suffix}`);
  const played: PlayedPod = {
    pod,
    container: (name) => `${pod}-${name}`,
    async address() {
      const infra = (await mustPodman(['pod', 'inspect', pod, '--format', '{{.InfraContainerID}}'])).trim();
      return (await mustPodman(['inspect', infra, '--format', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`])).trim();
    },
    async remove() {
      await podman(['kube', 'down', file], { timeoutMs: 60_000 });
      await podman(['pod', 'rm', '-f', '-t', '0', pod], { timeoutMs: 60_000 });
      await podman(['volume', 'rm', '-f', ...configMaps]);
    },
  };
  const result = await podman(['kube', 'play', '--network', network, file], { timeoutMs: 120_000 });
  if (result.exitCode !== 0) {
    await played.remove();
    throw new Error(`podman kube play exited ${String(result.exitCode)}:\n${result.stdout}\n${result.stderr}`);
  }
  return played;
}
