import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/migrate/', import.meta.url));

export interface Fixture {
  readonly name: string;
  readonly template: string;
  /** The Handlebars the converter must produce, for templates it converts. */
  readonly expected?: string;
  /** What consul-template 0.42.1 rendered from the template against world.json. */
  readonly rendered?: string;
  /** The problems it must report, for templates it refuses. */
  readonly problems?: unknown;
}

/** Every template of the corpus (test/fixtures/migrate/<name>/template.ctmpl). */
export function corpus(): Fixture[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const file = (f: string): string | undefined => (existsSync(`${FIXTURES}${name}/${f}`) ? readFileSync(`${FIXTURES}${name}/${f}`, 'utf8') : undefined);
      const problems = file('problems.json');
      return {
        name,
        template: file('template.ctmpl') as string,
        ...(file('expected.hbs') !== undefined ? { expected: file('expected.hbs') } : {}),
        ...(file('rendered.txt') !== undefined ? { rendered: file('rendered.txt') } : {}),
        ...(problems !== undefined ? { problems: JSON.parse(problems) as unknown } : {}),
      };
    });
}
