/**
 * Where `ctmpl migrate` writes: each converted template under the output directory, at its path
 * relative to the directory all the templates share (so `a/x.ctmpl` and `b/x.ctmpl` stay apart),
 * with `.hbs` for its Go template extension; the config as ctmpl.yaml beside a templates/ folder.
 */
import { basename, dirname, extname, join, relative, sep } from 'node:path';

/** Extensions Go templates are commonly given; the conversion ends in `.hbs` instead. */
const GO_TEMPLATE_EXTENSIONS = new Set(['.ctmpl', '.tmpl', '.tpl', '.gotmpl', '.gotemplate', '.template']);

/** The ctmpl config written for a consul-template config. */
export const CONFIG_NAME = 'ctmpl.yaml';
/** The folder, beside CONFIG_NAME, of the templates a config names. */
export const CONFIG_TEMPLATES_DIR = 'templates';

/** `nginx.conf.ctmpl` → `nginx.conf.hbs`; `upstream` → `upstream.hbs`. */
export function hbsName(path: string): string {
  const name = basename(path);
  const ext = extname(name).toLowerCase();
  return `${GO_TEMPLATE_EXTENSIONS.has(ext) ? name.slice(0, -ext.length) : name}.hbs`;
}

/** The deepest directory holding every one of `paths` (absolute). */
export function commonDirectory(paths: readonly string[]): string {
  const split = paths.map((p) => dirname(p).split(sep));
  const first = split[0] ?? [];
  let n = 0;
  while (n < first.length && split.every((parts) => parts[n] === first[n])) n++;
  return first.slice(0, n).join(sep) || sep;
}

/**
 * The output path of each template (absolute sources, each once) under `dir`. Two sources that
 * would land on one name (`x.ctmpl` and `x.tmpl`) get `-2`, `-3`… before `.hbs`.
 */
export function templateOutputs(sources: readonly string[], dir: string): Map<string, string> {
  const base = commonDirectory(sources);
  const taken = new Set<string>();
  const out = new Map<string, string>();
  for (const source of sources) {
    const wanted = join(dir, relative(base, dirname(source)), hbsName(source));
    let path = wanted;
    for (let n = 2; taken.has(path); n++) path = `${wanted.slice(0, -'.hbs'.length)}-${n}.hbs`;
    taken.add(path);
    out.set(source, path);
  }
  return out;
}
