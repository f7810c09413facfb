/**
 * Errors found before ctmpl starts running (flags, config, templates, catalog files).
 * Each one says where (file and line:column when known), what is wrong and what to do,
 * and maps to exit code 2 so scripts can tell "fix your input" from "it broke at run time".
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  readonly exitCode = 2;

  constructor(
    message: string,
    readonly where?: string,
    readonly hint?: string,
  ) {
    super(message);
  }

  /** One line for a human: `where: message (hint)`. */
  describe(): string {
    const head = this.where ? `${this.where}: ${this.message}` : this.message;
    return this.hint ? `${head}\n  hint: ${this.hint}` : head;
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof InputError) return err.describe();
  if (err instanceof Error) return err.message;
  return String(err);
}
