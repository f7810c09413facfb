/**
 * Scopes of the conversion: what Go's dot and each `$variable` stand for at a point of the
 * template, as Handlebars expressions, and the facts needed to decide whether re-evaluating a
 * variable's expression where it is used gives what Go computed once where it was declared.
 */
import type { Value } from './values.js';

export interface Binding {
  /** The Handlebars expression of the variable, or why there is none here. */
  value: Value | undefined;
  unavailable?: string;
  readonly owner: Scope;
  /** Loop depth and scratch writes seen when the value was bound. */
  loopDepth: number;
  scratchWrites: number;
  uses: number;
}

export class Scope {
  private readonly vars = new Map<string, Binding>();

  constructor(
    readonly parent: Scope | undefined,
    /** Go's dot, or undefined when it is nil (the top level of a consul-template template). */
    readonly dot: Value | undefined,
    /** Why the dot is nil here, for the refusal. */
    readonly dotMissing: string,
    /** Ranges around this point (a value read outside a loop is read once per iteration inside). */
    readonly loopDepth: number,
    /** Handlebars blocks that changed `this` since the define's start (each, with). */
    readonly ctxDepth: number,
  ) {}

  child(changes: { dot?: Value | undefined; loop?: boolean; context?: boolean } = {}): Scope {
    const dot = 'dot' in changes ? changes.dot : this.dot;
    return new Scope(this, dot, this.dotMissing, this.loopDepth + (changes.loop ? 1 : 0), this.ctxDepth + (changes.context ? 1 : 0));
  }

  lookup(name: string): Binding | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }

  bind(name: string, value: Value | undefined, scratchWrites: number, unavailable?: string): void {
    this.vars.set(name, { value, owner: this, loopDepth: this.loopDepth, scratchWrites, uses: 0, ...(unavailable ? { unavailable } : {}) });
  }
}
