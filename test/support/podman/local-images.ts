/**
 * The stand-in images deploy/sidecar/local-images.yml names (made by test/support/podman/setup.sh
 * where no registry is reachable): one per compose service, and the Node base for the build.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { asRecord } from './k8s.js';

export interface LocalImages {
  /** Compose service → image. */
  readonly services: Readonly<Record<string, string>>;
  /** The NODE_IMAGE build argument for deploy/Dockerfile. */
  readonly nodeImage: string;
}

export async function localImages(deployDir: string): Promise<LocalImages> {
  const doc = asRecord(parse(await readFile(join(deployDir, 'sidecar', 'local-images.yml'), 'utf8')), 'local-images.yml');
  const services: Record<string, string> = {};
  let nodeImage = '';
  for (const [name, body] of Object.entries(asRecord(doc.services, 'services'))) {
    const service = asRecord(body, name);
    if (typeof service.image === 'string') services[name] = service.image;
    const args = service.build === undefined ? undefined : asRecord(asRecord(service.build, 'build').args, 'build.args');
    if (typeof args?.NODE_IMAGE === 'string') nodeImage = args.NODE_IMAGE;
  }
  if (nodeImage === '') throw new Error('deploy/sidecar/local-images.yml gives ctmpl no NODE_IMAGE build argument');
  return { services, nodeImage };
}
