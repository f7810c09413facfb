/**
 * ctmpl's helpers against consul-template itself: every case of golden/cases.ts was run through
 * consul-template v0.42.1 (golden/generate.ts) and its output stored in golden/consul-template.json.
 * The same inputs must give the same text here, or an error where consul-template gave one.
 * Where ctmpl deliberately differs, the case is listed in DIFFERENCES with the reason.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileTemplate } from '../../../../src/template/engine.js';
import type { Helper } from '../../../../src/template/helpers/args.js';
import { collectionHelpers } from '../../../../src/template/helpers/collections.js';
import { encodingHelpers } from '../../../../src/template/helpers/encoding.js';
import { formatHelpers, goSprintf } from '../../../../src/template/helpers/format.js';
import { formatGoFloat } from '../../../../src/template/helpers/go-number.js';
import { logicHelpers } from '../../../../src/template/helpers/logic.js';
import { mathHelpers } from '../../../../src/template/helpers/math.js';
import { stringHelpers } from '../../../../src/template/helpers/strings.js';
import { naturalOrder } from '../../../../src/template/helpers/go-yaml.js';
import { formatGoTime } from '../../../../src/template/helpers/time.js';
import { inputs } from '../fixtures.js';
import { goArg, handWrittenCases, type Arg, type Case } from './golden/cases.js';

interface Golden {
  readonly case: Case;
  readonly output?: string;
  readonly error?: string;
}

const GOLDEN = JSON.parse(readFileSync(new URL('golden/consul-template.json', import.meta.url), 'utf8')) as Golden[];

const HELPERS: Record<string, Helper> = { ...stringHelpers, ...logicHelpers, ...mathHelpers, ...formatHelpers, ...encodingHelpers, ...collectionHelpers };
const OPTIONS = { hash: {}, data: { scratch: new Map<string, unknown>() } };

/**
 * An argument as ctmpl's templates hand it over: an int as its decimal text, a float as Go prints
 * it (ctmpl's helpers give floats that way), JSON through parseJSON.
 */
function ctmplArg(a: Arg): unknown {
  if ('j' in a) return encodingHelpers.parseJSON?.(a.j, OPTIONS);
  if ('s' in a) return a.s;
  if ('i' in a) return a.i;
  if ('f' in a) return formatGoFloat(Number(a.f));
  if ('b' in a) return a.b;
  return null;
}

/** How Go's text/template prints a value: strings as they are, nil as <no value>, the rest as %v. */
function printGo(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '<no value>';
  return goSprintf('%v', [value]);
}

function runCtmpl(c: Case): string {
  switch (c.kind) {
    case 'call': {
      const helper = HELPERS[c.helper];
      if (!helper) throw new Error(`no helper ${c.helper}`);
      const args = c.args.map(ctmplArg);
      return printGo(helper(...(c.ctmplOrder ? c.ctmplOrder.map((n) => args[n]) : args), OPTIONS));
    }
    case 'pair': {
      const output = compileTemplate('t.hbs', c.hbs).render(inputs()).output;
      if (output === undefined) throw new Error('incomplete render');
      return output;
    }
    case 'time':
      return formatGoTime(c.unixMilli, c.layout);
  }
}

const describeCase = (c: Case): string => (c.kind === 'call' ? `${c.helper} ${c.args.map(goArg).join(' ')}` : c.kind === 'pair' ? c.go : `${c.layout} @ ${c.unixMilli}`);

interface Difference {
  readonly why: string;
  readonly applies: (c: Extract<Case, { kind: 'call' }>, golden: Golden) => boolean;
  /** consul-template's own output varies from run to run here, so the case may match by chance. */
  readonly random?: true;
}

const numberArg = (a: Arg): boolean => 'i' in a || 'f' in a || ('j' in a && /^-?[0-9]/.test(a.j));
const wholeFloatArg = (a: Arg): boolean => 'f' in a && Number.isInteger(Number(a.f));

/**
 * Where ctmpl differs from consul-template on purpose (each is in the helpers' documentation).
 * Numbers reach ctmpl's templates as decimal strings, so a helper cannot always know the Go type
 * consul-template would have had.
 */
const DIFFERENCES: readonly Difference[] = [
  {
    why: 'an int reaches ctmpl as a decimal string, and the string "0" is true (converted templates compare with 0 instead)',
    applies: (c) => ['not', 'and', 'or'].includes(c.helper) && numberArg(c.args[0] as Arg),
  },
  {
    why: 'a float with no fraction reaches ctmpl the way Go prints it ("1000"), which reads as an int: int arithmetic (2.0 divides as 2)',
    applies: (c) => ['add', 'subtract', 'multiply', 'divide', 'modulo', 'minimum', 'maximum'].includes(c.helper) && c.args.some(wholeFloatArg),
  },
  {
    why: 'printf of an int, a float or a parseJSON number: ctmpl cannot know the Go type, so %s/%q print the text, %d/%x treat a whole number as an int; Go prints %!s(int=…), a quoted character, a hex float',
    applies: (c) => c.helper === 'printf' && c.args.slice(1).some(numberArg),
  },
  {
    why: 'printf with more arguments than verbs, a verb ctmpl does not have, [n] indexes, * widths, or a precision on a hex float: consul-template prints %!…, ctmpl refuses',
    applies: (c, g) => c.helper === 'printf' && (/%!\(EXTRA|%!z|%!\(BADINDEX|BADWIDTH|%!\[|%!\*/.test(g.output ?? '') || /%\[|%\*|%z/.test(JSON.stringify(c.args[0]))),
  },
  {
    why: 'printf %#v (Go syntax, such as []interface {}{0.1, 2}) is refused',
    applies: (c) => c.helper === 'printf' && /^%#[.0-9]*v$/.test((c.args[0] as { s: string }).s),
  },
  {
    why: 'yaml.v2 sorts keys with a comparison that is not an order for some key sets (10 < 1ShR < 9 < 10); Go then prints them in random map order',
    applies: (c) => c.helper === 'toYAML' && 'j' in (c.args[0] as Arg) && hasInconsistentKeys(JSON.parse((c.args[0] as { j: string }).j)),
    random: true,
  },
];

/** Whether some map in the value has keys that yaml.v2's comparison cannot order consistently. */
function hasInconsistentKeys(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasInconsistentKeys);
  if (value === null || typeof value !== 'object') return false;
  const keys = Object.keys(value).sort(naturalOrder);
  const inconsistent = keys.some((a, x) => keys.some((b, y) => x < y && naturalOrder(a, b) > 0));
  return inconsistent || Object.values(value).some(hasInconsistentKeys);
}

describe('helpers print what consul-template v0.42.1 prints', () => {
  const used = new Set<Difference>();

  it('the golden file holds every hand-written case (regenerate it after editing cases.ts)', () => {
    const stored = new Set(GOLDEN.map((g) => JSON.stringify(g.case)));
    const missing = handWrittenCases().filter((c) => !stored.has(JSON.stringify(c)));
    expect(missing.map(describeCase)).toEqual([]);
  });

  it.each(['call', 'pair', 'time'] as const)('%s cases', (kind) => {
    const failures: string[] = [];
    for (const g of GOLDEN.filter((x) => x.case.kind === kind)) {
      let mine: string;
      let threw: string | undefined;
      try {
        mine = runCtmpl(g.case);
      } catch (err) {
        mine = '';
        threw = (err as Error).message;
      }
      if (g.error !== undefined ? threw !== undefined : threw === undefined && mine === g.output) continue;
      const known = g.case.kind === 'call' ? DIFFERENCES.find((d) => d.applies(g.case as Extract<Case, { kind: 'call' }>, g)) : undefined;
      if (known) {
        used.add(known);
        continue;
      }
      failures.push(`${describeCase(g.case)}\n    consul-template: ${g.error !== undefined ? `error ${g.error}` : JSON.stringify(g.output)}\n    ctmpl:           ${threw !== undefined ? `error ${threw}` : JSON.stringify(mine)}`);
    }
    expect(failures.slice(0, 40).join('\n')).toBe('');
  });

  it('every listed difference still shows up (none is stale)', () => {
    expect(DIFFERENCES.filter((d) => !used.has(d) && !d.random).map((d) => d.why)).toEqual([]);
  });
});
