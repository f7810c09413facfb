import { readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { renderContextOf, splitArgs, stringArg, type Helper } from './args.js';

/** True when `target` is `dir` or inside it (both real paths). */
function within(dir: string, target: string): boolean {
  const rel = relative(dir, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** Helpers that read the local machine: environment variables and sandboxed files. */
export const systemHelpers: Record<string, Helper> = {
  /** `(env "NAME")`: the variable's value, or "" when unset. */
  env(...args) {
    const { params, options } = splitArgs(args);
    const name = stringArg('env', params, 0, 'a variable name');
    const env = renderContextOf(options).inputs.env;
    // Own variables only: `constructor` or `__proto__` must not reach Object.prototype.
    return Object.hasOwn(env, name) ? (env[name] ?? '') : '';
  },

  /**
   * `(file "path")`: a file's contents. Relative paths resolve against the sandbox directory, and
   * the real path (symlinks followed) must stay inside it, so a template cannot read /etc/shadow.
   */
  file(...args) {
    const { params, options } = splitArgs(args);
    const ctx = renderContextOf(options);
    const asked = stringArg('file', params, 0, 'a path');
    const sandbox = ctx.inputs.sandbox;
    const target = resolve(sandbox, asked);
    if (!within(sandbox, target)) throw new Error(`file "${asked}" is outside the sandbox ${sandbox}`);
    let real: string;
    try {
      real = realpathSync(target);
    } catch (err) {
      throw new Error(`file "${asked}": ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    if (!within(sandbox, real)) throw new Error(`file "${asked}" resolves (through a link) outside the sandbox ${sandbox}`);
    ctx.files.add(real);
    return readFileSync(real, 'utf8');
  },
};
