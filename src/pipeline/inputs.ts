import type { Config } from '../config/schema.js';
import type { CatalogFeed } from '../feed/feed.js';
import { sourcesByName } from '../registries/list.js';
import type { Source } from '../registries/source.js';
import { templateEnvironment } from '../template/environment.js';
import type { RenderInputs } from '../template/render-context.js';
import type { TemplateUnit } from '../template/unit.js';

/**
 * What a render may read: the feed's latest data and guard counts, which sources are failing (a
 * union does not wait for them), the configured sources, the template's sandbox and the
 * environment it may see (credentials withheld).
 */
export function renderInputs(config: Config, feed: CatalogFeed, sources: ReadonlyMap<string, Source>, env: Readonly<Record<string, string | undefined>>): (unit: TemplateUnit) => RenderInputs {
  const described = sourcesByName(config.sources.map((s) => [s.name, s.registry]));
  const visible = templateEnvironment(env, config.envAllow);
  return (unit) => ({
    defaultSource: config.sources[0]?.name ?? '',
    sources: described,
    lookup: (id) => feed.lookup(id),
    unavailable: (source) => sources.get(source)?.health.failing === true,
    guardStatus: (id) => feed.guardStatus(id),
    sandbox: unit.sandbox,
    env: visible,
  });
}
