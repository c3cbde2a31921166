// ESLint for the TypeScript sources and the GraphQL documents; Prettier owns the
// layout (eslint-config-prettier, last, turns off every rule it would fight).
// `npm run lint` runs this, then `prettier --check .`.
import js from '@eslint/js';
import graphqlPlugin from '@graphql-eslint/eslint-plugin';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    // Generated code is rebuilt on install (codegen, Prisma, the playground
    // bundle): never linted, never edited. Recorded results and fixtures are data.
    ignores: [
      'node_modules/',
      'dist/',
      '**/generated/',
      'gateway/playground/dist/',
      'gateway/console/dist/',
      'test-results/',
      'bench/results/',
      'test/fixtures/',
      'coverage/',
      '.data/',
      '.scratch/',
      // The composed supergraph is built by npm run compose from schema/, which is linted.
      'deploy/kubernetes/supergraph.graphql',
      'supergraph.graphql',
    ],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    // typescript-eslint's recommended-type-checked: the rules that need the types
    // (floating promises, unsafe any, misused promises) are the ones worth having.
    files: ['**/*.ts', '**/*.tsx'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // tsc reports unused locals and parameters already (noUnusedLocals, noUnusedParameters).
      '@typescript-eslint/no-unused-vars': 'off',
      // Apollo's plugin hooks and the interfaces that return promises are written async without awaiting.
      '@typescript-eslint/require-await': 'off',
      // The `!` on indexed reads are deliberate: they stay right under noUncheckedIndexedAccess
      // (which the playground's tsconfig already sets).
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Type-only imports stay type-only in the JavaScript that swc and esbuild emit file by file.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      // Express handlers and event listeners may be async; a promise is otherwise awaited, returned or voided.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'prefer-const': 'error',
    },
  },
  {
    // JSON bodies and process output are read as `any` in tests; the assertions check their shape.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // The image's one entry point loads only the chosen process's modules, on demand.
    files: ['scripts/entrypoint.ts'],
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
  {
    // GraphQL: each subgraph's SDL (a Federation 2 @link schema, checked as the
    // subgraph serves it) and the operations sent to it. One graphql-config with a
    // project per schema: the plugin reads its config once for all .graphql files.
    files: ['**/*.graphql'],
    languageOptions: {
      parser: graphqlPlugin.parser,
      parserOptions: {
        graphQLConfig: {
          projects: {
            products: { schema: 'schema/products.graphql', documents: 'importer/*.graphql' },
            suppliers: { schema: 'schema/suppliers.graphql' },
            certification: { schema: 'schema/certification.graphql' },
          },
        },
      },
    },
    plugins: { '@graphql-eslint': graphqlPlugin },
  },
  {
    files: ['schema/*.graphql'],
    rules: {
      ...graphqlPlugin.configs['flat/schema-recommended'].rules,
      // One-line descriptions are written "inline", longer ones as """blocks""".
      '@graphql-eslint/description-style': 'off',
      // Every root field says what it answers; a type's name and its fields' descriptions say the rest.
      '@graphql-eslint/require-description': ['error', { rootField: true, DirectiveDefinition: true }],
      // Entities are identified by their @key (a region by its code); value types (Money, connections, results) have none.
      '@graphql-eslint/strict-id-in-types': 'off',
    },
  },
  {
    files: ['importer/*.graphql'],
    rules: graphqlPlugin.configs['flat/operations-recommended'].rules,
  },
  prettier,
);
