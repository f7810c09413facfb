import { errorMessage } from '../errors.js';
import type { Logger } from '../observe/log.js';
import { ContentWatcher } from '../util/content-watcher.js';
import type { TemplateUnit } from './unit.js';

/**
 * Watches the template files and the files templates read with `file`: a template edit recompiles
 * it (a broken edit keeps the last good output and says where it is broken); any change makes the
 * templates concerned render again.
 */
export class TemplateFileWatch {
  private constructor(private readonly watcher: ContentWatcher) {}

  static async start(units: readonly TemplateUnit[], due: (unit: TemplateUnit) => void, log: Logger): Promise<TemplateFileWatch> {
    const changed = (path: string, text: string): void => {
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
      units.map((u) => ({ path: u.config.source, text: u.text })),
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
