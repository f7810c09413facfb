import { readFile } from 'node:fs/promises';
import type { FSWatcher } from 'chokidar';

/** How long after a change event the file is read once more (see below). */
const TRAILING_CHECK_MS = 100;

export type ContentListener = (path: string, text: string) => void | Promise<void>;

/**
 * Watches local files (catalogs, templates, files read by `file`) and reports each path whose
 * content changed, with the new text, one report at a time.
 *
 * chokidar drops — does not defer — a second `change` within 50 ms of the first, so an edit right
 * after another would go unseen; every event is therefore followed by one more read a little
 * later. Reports are by content, so that extra read costs nothing when nothing changed. An empty
 * read is what an in-place rewrite shows between truncate and write: it is only reported if the
 * file is still empty at the later read.
 */
export class ContentWatcher {
  private readonly lastText = new Map<string, string>();
  private readonly paths = new Set<string>();
  private readonly trailing = new Map<string, NodeJS.Timeout>();
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly watcher: FSWatcher,
    private readonly onChange: ContentListener,
  ) {}

  /**
   * Watches `files` (with the text the caller already loaded from each, when it has it) and
   * resolves once the watches are armed.
   */
  static async start(
    files: readonly { path: string; text?: string }[],
    onChange: ContentListener,
    events: { error: (err: unknown) => void; removed?: (path: string) => void },
  ): Promise<ContentWatcher> {
    // Loaded here, not at start-up: `--once` and a daemon without local files never watch any.
    const { watch } = await import('chokidar');
    // chokidar's `atomic` (on by default) folds an editor's delete+rename into one change.
    const watcher = watch(
      files.map((f) => f.path),
      { ignoreInitial: true, persistent: true },
    );
    const self = new ContentWatcher(watcher, onChange);
    for (const file of files) {
      self.paths.add(file.path);
      if (file.text !== undefined) self.lastText.set(file.path, file.text);
    }
    const changed = (path: string): void => self.changed(path);
    watcher.on('add', changed).on('change', changed).on('error', events.error);
    if (events.removed) watcher.on('unlink', events.removed);
    await new Promise<void>((resolve) => watcher.once('ready', resolve));
    return self;
  }

  /** Watches one more file (from the next change on). */
  add(path: string): void {
    if (this.paths.has(path) || this.closed) return;
    this.paths.add(path);
    this.watcher.add(path);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.trailing.values()) clearTimeout(timer);
    this.trailing.clear();
    await this.watcher.close();
    await this.queue;
  }

  private changed(path: string): void {
    this.enqueue(path, false);
    clearTimeout(this.trailing.get(path));
    this.trailing.set(
      path,
      setTimeout(() => {
        this.trailing.delete(path);
        this.enqueue(path, true);
      }, TRAILING_CHECK_MS),
    );
  }

  private enqueue(path: string, settled: boolean): void {
    this.queue = this.queue.then(() => this.check(path, settled));
  }

  private async check(path: string, settled: boolean): Promise<void> {
    if (this.closed) return;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      return; // gone for a moment (an editor's rename): the next event or the later read sees it
    }
    if (text === this.lastText.get(path) || (text === '' && !settled)) return;
    this.lastText.set(path, text);
    await this.onChange(path, text);
  }
}
