/**
 * consul-template's math and parse functions. Arguments keep consul-template's order, which is
 * Go's pipeline order (the piped value comes last): `(subtract 2 5)` is 5 - 2, `(divide 2 10)`
 * is 10 / 2. Two ints give an int (64-bit, wrapping as Go's do, division truncating); a float on
 * either side gives a float, printed as Go prints it (`1e+06`). Results are decimal strings.
 */
import { splitArgs, type Helper } from './args.js';
import { formatGoFloat, goNumberArg, goNumberText, parseGoFloat, parseGoInt, wrapInt64, type GoNumber } from './go-number.js';
import { describe } from './go-values.js';

type IntOp = (a: bigint, b: bigint) => bigint;
type FloatOp = (a: number, b: number) => number;

function twoNumbers(helper: string, args: unknown[]): [GoNumber, GoNumber] {
  const { params } = splitArgs(args);
  if (params.length !== 2) throw new Error(`${helper}: expected 2 numbers, got ${params.length} argument(s)`);
  // consul-template's functions take (b, a) and compute a OP b.
  return [goNumberArg(params[1], helper), goNumberArg(params[0], helper)];
}

function arithmetic(helper: string, intOp: IntOp, floatOp: FloatOp | undefined): Helper {
  return (...args) => {
    const [a, b] = twoNumbers(helper, args);
    if (a.kind === 'int' && b.kind === 'int') {
      if ((helper === 'divide' || helper === 'modulo') && b.value === 0n) throw new Error(`${helper}: integer division by zero`);
      return wrapInt64(intOp(a.value, b.value)).toString();
    }
    if (!floatOp) throw new Error(`${helper}: needs two integers (Go has no ${helper} of floats), got ${goNumberText(a)} and ${goNumberText(b)}`);
    return formatGoFloat(floatOp(Number(a.value), Number(b.value)));
  };
}

/** minimum/maximum: the chosen argument itself (an int stays an int). */
function choose(helper: string, firstWins: (a: number, b: number) => boolean): Helper {
  return (...args) => {
    const [a, b] = twoNumbers(helper, args);
    const pick = a.kind === 'int' && b.kind === 'int' ? (helper === 'minimum' ? a.value < b.value : a.value > b.value) : firstWins(Number(a.value), Number(b.value));
    return goNumberText(pick ? a : b);
  };
}

function oneString(helper: string, args: unknown[]): string {
  const { params } = splitArgs(args);
  if (params.length !== 1) throw new Error(`${helper}: expected 1 argument, got ${params.length}`);
  const [value] = params;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') throw new Error(`${helper}: expected a string, got ${describe(value)}`);
  return String(value);
}

const TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

export const mathHelpers: Record<string, Helper> = {
  /** `(add a b …)`: the sum (consul-template's add takes two; ctmpl's takes any number). */
  add(...args) {
    const { params } = splitArgs(args);
    if (params.length === 0) throw new Error('add: expected at least one number');
    const nums = params.map((v) => goNumberArg(v, 'add'));
    if (nums.every((n) => n.kind === 'int')) return wrapInt64(nums.reduce((sum, n) => sum + (n.value as bigint), 0n)).toString();
    return formatGoFloat(nums.reduce((sum, n) => sum + Number(n.value), 0));
  },
  /** `(subtract b a)`: a - b. */
  subtract: arithmetic('subtract', (a, b) => a - b, (a, b) => a - b),
  /** `(multiply b a)`: a × b. */
  multiply: arithmetic('multiply', (a, b) => a * b, (a, b) => a * b),
  /** `(divide b a)`: a / b; ints divide as ints (10 / 4 = 2); an int division by zero is an error. */
  divide: arithmetic('divide', (a, b) => a / b, (a, b) => a / b),
  /** `(modulo b a)`: a mod b, ints only (the sign follows a). */
  modulo: arithmetic('modulo', (a, b) => a % b, undefined),
  /** `(minimum b a)`: the smaller. */
  minimum: choose('minimum', (a, b) => a < b),
  /** `(maximum b a)`: the larger. */
  maximum: choose('maximum', (a, b) => a > b),

  /** `(parseInt "42")`: a decimal int64 as a string; "" is "0". */
  parseInt(...args) {
    const text = oneString('parseInt', args);
    if (text === '') return '0';
    const n = parseGoInt(text, 'parseInt');
    if (n === undefined) throw new Error(`parseInt: ${describe(text)} is not a decimal integer`);
    return n.toString();
  },
  /** `(parseUint "42")`: a decimal uint64 as a string; "" is "0". */
  parseUint(...args) {
    const text = oneString('parseUint', args);
    if (text === '') return '0';
    if (!/^[0-9]+$/.test(text)) throw new Error(`parseUint: ${describe(text)} is not an unsigned decimal integer`);
    const n = BigInt(text);
    if (n >= 2n ** 64n) throw new Error(`parseUint: ${describe(text)} is out of range for a 64-bit unsigned integer`);
    return n.toString();
  },
  /** `(parseFloat "1.5")`: the float as Go prints it ("1e+06" for 1000000); "" is "0". */
  parseFloat(...args) {
    const text = oneString('parseFloat', args);
    if (text === '') return '0';
    const f = parseGoFloat(text, 'parseFloat');
    if (f === undefined) throw new Error(`parseFloat: ${describe(text)} is not a number`);
    return formatGoFloat(f);
  },
  /** `(parseBool "true")`: 1 t T TRUE true True / 0 f F FALSE false False; "" is false. */
  parseBool(...args) {
    const text = oneString('parseBool', args);
    if (text === '' || FALSE.includes(text)) return false;
    if (TRUE.includes(text)) return true;
    throw new Error(`parseBool: ${describe(text)} is not a boolean (true, false, 1, 0, t, f…)`);
  },
};
