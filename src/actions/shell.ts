/** Quotes a string for /bin/sh so it is one word whatever it contains. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A check command with `{{staged}}` replaced by the staged file's path, quoted for the shell (the
 * destination path comes from the operator, but quoting keeps a space or quote in it harmless).
 */
export function withStagedPath(command: string, staged: string): string {
  return command.replace(/\{\{\s*staged\s*\}\}/g, shellQuote(staged));
}

/** Whether a check command looks at the staged file at all (`{{staged}}` or $CTMPL_STAGED). */
export function checksStagedFile(command: string): boolean {
  return /\{\{\s*staged\s*\}\}/.test(command) || /\$\{?CTMPL_STAGED\b/.test(command);
}
