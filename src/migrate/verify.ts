/**
 * `ctmpl migrate --verify`: every original rendered once by consul-template and every conversion
 * once by ctmpl, each program run a single time with all the templates (`-once` / `--once`)
 * against the same Consul, into a temporary directory; then the outputs compared byte for byte.
 * No command of the config runs: only the templates are given to either program.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Delimiters } from './gotemplate/lexer.js';

/** A template file, or a template given inline (a config's `contents`). */
export type TemplateText = { readonly path: string } | { readonly text: string };

export interface VerifyItem {
  /** How the report names the template. */
  readonly name: string;
  readonly original: TemplateText;
  readonly delimiters: Partial<Delimiters>;
  readonly converted: TemplateText;
  /** error_on_missing_key, for both programs. */
  readonly strict: boolean;
}

export interface VerifyOptions {
  /** Consul's HTTP address (host:port, or with http:// or https://). */
  readonly consulAddress: string;
  /** The consul-template binary. */
  readonly consulTemplate: string;
  /** How to start ctmpl: the program and the arguments before ctmpl's own. */
  readonly ctmpl: { readonly command: string; readonly args: readonly string[] };
  /** Each program is stopped after this long; what it rendered by then is compared. */
  readonly timeoutMs: number;
}

export type Verdict =
  | { readonly kind: 'identical' }
  /** The first line (1-based) that differs; undefined where one output has ended. */
  | { readonly kind: 'different'; readonly line: number; readonly consulTemplate: string | undefined; readonly ctmpl: string | undefined }
  | { readonly kind: 'not rendered'; readonly by: readonly ('consul-template' | 'ctmpl')[] };

/** How one program's run ended, for the report when a template was not rendered. */
export interface RunSummary {
  readonly program: 'consul-template' | 'ctmpl';
  readonly exitCode: number | undefined;
  readonly timedOut: boolean;
  /** The end of what it wrote to stderr and stdout. */
  readonly output: string;
}

export interface VerifyReport {
  readonly verdicts: readonly Verdict[];
  readonly runs: readonly RunSummary[];
}

/** The first line where two outputs differ, or undefined when they are the same. */
export function firstDifference(consulTemplate: string, ctmpl: string): Extract<Verdict, { kind: 'different' }> | undefined {
  if (consulTemplate === ctmpl) return undefined;
  const a = consulTemplate.split('\n');
  const b = ctmpl.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return { kind: 'different', line: i + 1, consulTemplate: a[i], ctmpl: b[i] };
}

const tail = (text: string): string => text.trim().split('\n').slice(-5).join('\n');

async function materialize(t: TemplateText, path: string): Promise<string> {
  if ('path' in t) return t.path;
  await writeFile(path, t.text);
  return path;
}

async function readOutput(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? undefined : Promise.reject(err)));
}

/** Renders every item with both programs and compares; the temporary directory is always removed. */
export async function verifyConversions(items: readonly VerifyItem[], options: VerifyOptions): Promise<VerifyReport> {
  const dir = await mkdtemp(join(tmpdir(), 'ctmpl-migrate-verify-'));
  try {
    for (const sub of ['in', 'consul-template', 'ctmpl']) await mkdir(join(dir, sub));
    const outputs = (program: string, i: number): string => join(dir, program, `${i}.out`);
    const ctTemplates: Record<string, unknown>[] = [];
    const ctmplTemplates: Record<string, unknown>[] = [];
    for (const [i, item] of items.entries()) {
      ctTemplates.push({
        source: await materialize(item.original, join(dir, 'in', `${i}.ctmpl`)),
        destination: outputs('consul-template', i),
        ...(item.delimiters.left ? { left_delimiter: item.delimiters.left } : {}),
        ...(item.delimiters.right ? { right_delimiter: item.delimiters.right } : {}),
        error_on_missing_key: item.strict,
      });
      ctmplTemplates.push({ source: await materialize(item.converted, join(dir, 'in', `${i}.hbs`)), destination: outputs('ctmpl', i), error_on_missing_key: item.strict });
    }
    // JSON is a consul-template config format too, and needs no quoting rules of its own here.
    const ctConfig = join(dir, 'consul-template.json');
    const ctmplConfig = join(dir, 'ctmpl.json');
    await writeFile(ctConfig, JSON.stringify({ consul: { address: options.consulAddress }, template: ctTemplates }));
    await writeFile(ctmplConfig, JSON.stringify({ templates: ctmplTemplates }));
    const run = async (program: RunSummary['program'], command: string, args: readonly string[]): Promise<RunSummary> => {
      // A program still running at the timeout gets SIGTERM, then SIGKILL a second later.
      const result = await execa(command, args, { cwd: dir, reject: false, stdin: 'ignore', timeout: options.timeoutMs, forceKillAfterDelay: 1000, all: true });
      return { program, exitCode: result.exitCode, timedOut: result.timedOut, output: tail(String(result.all ?? '')) };
    };
    const runs = await Promise.all([
      run('consul-template', options.consulTemplate, ['-once', '-config', ctConfig, '-log-level', 'warn']),
      run('ctmpl', options.ctmpl.command, [...options.ctmpl.args, '--once', '--config', ctmplConfig, '--consul-addr', options.consulAddress, '--log-level', 'warn']),
    ]);
    const verdicts: Verdict[] = [];
    for (const i of items.keys()) {
      const ct = await readOutput(outputs('consul-template', i));
      const mine = await readOutput(outputs('ctmpl', i));
      if (ct === undefined || mine === undefined) {
        verdicts.push({ kind: 'not rendered', by: [...(ct === undefined ? (['consul-template'] as const) : []), ...(mine === undefined ? (['ctmpl'] as const) : [])] });
      } else verdicts.push(firstDifference(ct, mine) ?? { kind: 'identical' });
    }
    return { verdicts, runs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
