import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TemplateConfig } from '../../src/template/settings.js';
import { TemplateUnit } from '../../src/template/unit.js';

/**
 * A template unit loaded as the runner loads it: `text` written to `dir/NAME.hbs`, rendering to
 * `dir/out/NAME`, the template's directory as its sandbox.
 */
export async function loadUnit(dir: string, name: string, text: string, over: Partial<TemplateConfig> = {}): Promise<TemplateUnit> {
  const source = join(dir, `${name}.hbs`);
  await mkdir(dir, { recursive: true });
  await writeFile(source, text);
  return TemplateUnit.load({ source, destination: join(dir, 'out', name), command: undefined, wait: undefined, perms: undefined, backup: false, sandbox: dir, ...over });
}
