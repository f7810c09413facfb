import { errorMessage } from '../errors.js';
import type { Logger } from '../observe/log.js';
import { ContentWatcher } from '../util/content-watcher.js';
import type { PartialSet } from './partials.js';
import type { TemplateUnit } from './unit.js';

/**
 * Watches the template files, the partials and the files templates read with `file`: a template
 * or partial edit is checked first (a broken one keeps the last good text in use and says where it
 * is broken); any change makes the templates concerned render again — every template for a
 * partial, as a partial may be included by name from anywhere. New partial files are read on
 * SIGHUP.
 */
export class TemplateFileWatch {
  private constructor(private readonly watcher: ContentWatcher) {}

  static async start(units: readonly TemplateUnit[], partials: PartialSet | undefined, due: (unit: TemplateUnit) => void, log: Logger): Promise<TemplateFileWatch> {
    const changed = (path: string, text: string): void => {
      if (partials?.nameOf(path) !== undefined) {
        try {
          partials.update(path, text);
          log.info({ partial: path }, 'partial changed');
        } catch (err) {
          log.error({ partial: path, err: errorMessage(err) }, 'partial has errors; keeping its last good text');
          return;
        }
        for (const unit of units) due(unit);
        return;
      }
      for (const unit of units) {
        if (unit.config.source === path) {
          try {
            unit.recompile(text);
            log.info({ template: path }, 'template changed');
          } catch (err) {
            log.error({ template: path, err: errorMessage(err) }, 'template has errors; keeping the last good output');
            continue;
          }
          due(unit);
        } else if (unit.files.has(path)) {
          due(unit);
        }
      }
    };
    const watcher = await ContentWatcher.start(
      [...units.map((u) => ({ path: u.config.source, text: u.text })), ...(partials?.files ?? []).map((p) => ({ path: p.path, text: p.text }))],
      changed,
      { error: (err) => log.error({ err: errorMessage(err) }, 'watching template files failed') },
    );
    return new TemplateFileWatch(watcher);
  }

  /** Files a render read with `file` (watched from the next change on). */
  add(paths: Iterable<string>): void {
    for (const path of paths) this.watcher.add(path);
  }

  close(): Promise<void> {
    return this.watcher.close();
  }
}
