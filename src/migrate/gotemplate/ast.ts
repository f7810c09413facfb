/**
 * The syntax tree of a Go text/template, as Go's parser builds it (text/template/parse), with
 * the line and column (1-based) of every node so a refusal can say where.
 */
export interface Pos {
  readonly line: number;
  readonly col: number;
  readonly offset: number;
}

/** A numeric literal with Go's reading of it (see parse.NumberNode). */
export interface NumberValue {
  /** Integral and fits in an int64 (after Go's promotions). */
  readonly isInt: boolean;
  /** The literal is written as a float (`.`, `e` or `p`), so Go passes a float64 where untyped. */
  readonly floatSyntax: boolean;
  readonly int?: bigint;
  readonly float: number;
  readonly complex: boolean;
}

export type Operand =
  | { readonly kind: 'dot'; readonly pos: Pos }
  | { readonly kind: 'nil'; readonly pos: Pos }
  | { readonly kind: 'bool'; readonly pos: Pos; readonly value: boolean }
  | { readonly kind: 'string'; readonly pos: Pos; readonly value: string; readonly quoted: string }
  | { readonly kind: 'number'; readonly pos: Pos; readonly text: string; readonly value: NumberValue }
  /** `.A.B` */
  | { readonly kind: 'field'; readonly pos: Pos; readonly names: readonly string[] }
  /** `$`, `$x`, `$x.A.B` (name includes the `$`) */
  | { readonly kind: 'variable'; readonly pos: Pos; readonly name: string; readonly fields: readonly string[] }
  /** A function name (`service`, `printf`…) */
  | { readonly kind: 'identifier'; readonly pos: Pos; readonly name: string }
  /** `(pipeline)` */
  | { readonly kind: 'pipeline'; readonly pos: Pos; readonly pipe: Pipeline }
  /** `(pipeline).A.B` */
  | { readonly kind: 'chain'; readonly pos: Pos; readonly node: Operand; readonly fields: readonly string[] };

export interface Command {
  readonly pos: Pos;
  readonly args: readonly Operand[];
}

export interface Pipeline {
  readonly pos: Pos;
  /** Variables declared (`:=`) or assigned (`=`) by this pipeline, names with `$`. */
  readonly decl: readonly { readonly name: string; readonly pos: Pos }[];
  readonly isAssign: boolean;
  readonly cmds: readonly Command[];
}

export interface Branches {
  readonly pos: Pos;
  readonly pipe: Pipeline;
  readonly list: readonly Node[];
  /** The `{{else}}` part; for `{{else if …}}`/`{{else with …}}` a list holding that one node. */
  readonly elseList?: readonly Node[];
  /** True when elseList came from `{{else if}}` / `{{else with}}` (no `{{end}}` of its own). */
  readonly elseChain?: boolean;
}

export type Node =
  | { readonly kind: 'text'; readonly pos: Pos; readonly text: string }
  | { readonly kind: 'action'; readonly pos: Pos; readonly pipe: Pipeline }
  | ({ readonly kind: 'if' } & Branches)
  | ({ readonly kind: 'range' } & Branches)
  | ({ readonly kind: 'with' } & Branches)
  /** `{{template "name" pipeline}}`; also what `{{block}}` leaves in place. */
  | { readonly kind: 'template'; readonly pos: Pos; readonly name: string; readonly pipe?: Pipeline }
  | { readonly kind: 'break'; readonly pos: Pos }
  | { readonly kind: 'continue'; readonly pos: Pos };

export interface Definition {
  readonly name: string;
  readonly pos: Pos;
  readonly body: readonly Node[];
}

/** A parsed template: the main list and the templates it defines (`define` and `block`). */
export interface GoTemplate {
  readonly root: readonly Node[];
  readonly definitions: ReadonlyMap<string, Definition>;
}
