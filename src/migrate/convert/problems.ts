import type { Pos } from '../gotemplate/ast.js';

/** Something in a Go template the converter cannot turn into equivalent Handlebars. */
export interface MigrationProblem {
  readonly line: number;
  readonly col: number;
  /** The Go construct, as written or named (`range $k, $v := …`, `printf "%5s"`, `$x = …`). */
  readonly construct: string;
  /** Why it is refused. */
  readonly what: string;
  /** What the author can do about it. */
  readonly todo: string;
}

/** Thrown inside the converter to refuse one construct; collected as a MigrationProblem. */
export class Refusal extends Error {
  override readonly name = 'Refusal';

  constructor(
    readonly pos: Pos,
    readonly construct: string,
    readonly what: string,
    readonly todo: string,
  ) {
    super(what);
  }

  toProblem(): MigrationProblem {
    return { line: this.pos.line, col: this.pos.col, construct: this.construct, what: this.what, todo: this.todo };
  }
}

export function refuse(pos: Pos, construct: string, what: string, todo: string): never {
  throw new Refusal(pos, construct, what, todo);
}
