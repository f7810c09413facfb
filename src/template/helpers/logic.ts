/**
 * Truth, comparison and membership with consul-template's (Go's) rules. Handlebars evaluates every
 * argument of a subexpression, so `and`/`or` cannot skip one the way Go's do; they still return
 * the argument that decided, as Go's do.
 */
import { splitArgs, type Helper } from './args.js';
import { compareValues, goTruth, sameValue } from './go-values.js';

function atLeastOne(helper: string, params: unknown[]): void {
  if (params.length === 0) throw new Error(`${helper}: expected at least one argument`);
}

function exactly(helper: string, params: unknown[], count: number): void {
  if (params.length !== count) throw new Error(`${helper}: expected ${count} argument${count === 1 ? '' : 's'}, got ${params.length}`);
}

/**
 * Go's `in`: a list holds an equal element (ctmpl compares plain values as text, since ints are
 * strings), or a string contains a substring. Anything else holds nothing.
 */
export function includes(haystack: unknown, needle: unknown): boolean {
  if (Array.isArray(haystack)) return haystack.some((v) => sameValue(v, needle));
  if (typeof haystack === 'string') return typeof needle === 'string' && haystack.includes(needle);
  return false;
}

function needles(helper: string, value: unknown): readonly unknown[] {
  if (Array.isArray(value)) return value;
  if (value === null || value === undefined) return [];
  throw new Error(`${helper}: expected a list of values to look for as argument 1`);
}

/** containsAll/Any/None/NotAll: `(containsAll needles haystack)`, consul-template's order. */
function containsSome(helper: string, test: (list: readonly unknown[], has: (v: unknown) => boolean) => boolean): Helper {
  return (...args) => {
    const { params } = splitArgs(args);
    exactly(helper, params, 2);
    const [wanted, haystack] = params;
    return test(needles(helper, wanted), (v) => includes(haystack, v));
  };
}

function ordering(helper: string, accept: (c: number) => boolean): Helper {
  return (...args) => {
    const { params } = splitArgs(args);
    exactly(helper, params, 2);
    return accept(compareValues(params[0], params[1]));
  };
}

export const logicHelpers: Record<string, Helper> = {
  /** `(and a b …)`: the first argument that is false by Go's rules, else the last one. */
  and(...args) {
    const { params } = splitArgs(args);
    atLeastOne('and', params);
    const decider = params.findIndex((v) => !goTruth(v));
    return params[decider < 0 ? params.length - 1 : decider];
  },
  /** `(or a b …)`: the first argument that is true by Go's rules, else the last one. */
  or(...args) {
    const { params } = splitArgs(args);
    atLeastOne('or', params);
    const decider = params.findIndex((v) => goTruth(v));
    return params[decider < 0 ? params.length - 1 : decider];
  },
  /** `(not x)`: true when x is false by Go's rules (false, 0, "", null, [] and {}; "0" is true). */
  not(...args) {
    const { params } = splitArgs(args);
    exactly('not', params, 1);
    return !goTruth(params[0]);
  },
  /** `(eq a b …)`: a equals any of the others (Go's eq takes several); 80 equals "80". */
  eq(...args) {
    const { params } = splitArgs(args);
    if (params.length < 2) throw new Error(`eq: expected at least 2 arguments, got ${params.length}`);
    const [first, ...rest] = params;
    return rest.some((v) => sameValue(first, v));
  },
  ne(...args) {
    const { params } = splitArgs(args);
    exactly('ne', params, 2);
    return !sameValue(params[0], params[1]);
  },
  /** gt/lt/ge/le: as numbers when both sides look like numbers, else by Go's string order. */
  gt: ordering('gt', (c) => c > 0),
  lt: ordering('lt', (c) => c < 0),
  ge: ordering('ge', (c) => c >= 0),
  le: ordering('le', (c) => c <= 0),
  /** `(contains list item)` for lists (e.g. Tags), `(contains text part)` for strings. */
  contains(...args) {
    const { params } = splitArgs(args);
    exactly('contains', params, 2);
    return includes(params[0], params[1]);
  },
  /** `(in list item)`: consul-template's name for contains, same order. */
  in(...args) {
    const { params } = splitArgs(args);
    exactly('in', params, 2);
    return includes(params[0], params[1]);
  },
  /** True when every needle is in the haystack (also for no needles). */
  containsAll: containsSome('containsAll', (list, has) => list.every(has)),
  /** True when some needle is in the haystack (false for no needles). */
  containsAny: containsSome('containsAny', (list, has) => list.some(has)),
  /** True when no needle is in the haystack (also for no needles). */
  containsNone: containsSome('containsNone', (list, has) => !list.some(has)),
  /** True when some needle is not in the haystack (false for no needles). */
  containsNotAll: containsSome('containsNotAll', (list, has) => !list.every(has)),
};
