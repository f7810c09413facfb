import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // zod's `z` export is a namespace object the bundler cannot trim: importing it put all of
      // zod (every locale, the JSON-schema converters: 582 KiB) on every start. `import * as z` keeps
      // only what the schemas use.
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier[imported.name='z']",
          message: "use `import * as z from 'zod'`: the bundle then keeps only the parts the schemas use",
        },
      ],
    },
  },
);
