/**
 * Something ctmpl reads differently from consul-template, or ignores, without refusing the file:
 * the loader logs each one once at start.
 */
export interface HclWarning {
  /** `file:line:column`. */
  readonly where: string;
  readonly message: string;
  readonly hint?: string;
}

export interface HclReadOptions {
  /**
   * A block given twice in one file (`consul { … }` twice). consul-template keeps only the last one
   * (its decoder drops the others); 'merge' merges them key by key instead, later keys winning, as
   * blocks from different files of a directory are. Either way a warning says what happened.
   * Repeated `template` blocks are always a list.
   */
  readonly repeatedBlocks?: 'last' | 'merge';
}
