// ESLint flat config. `npm run lint` runs it with --max-warnings 0, so every finding fails CI:
// rules are either errors or off, never warnings.
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

const TS_FILES = ['**/*.{ts,mts,cts}'];
const JS_FILES = ['**/*.{js,mjs,cjs}'];
const SPEC_FILES = ['**/*spec.ts'];

// Node's globals for the few plain JavaScript files (config files, scripts); TypeScript files get
// theirs from @types/node through the compiler, and no-undef is off for them.
const NODE_GLOBALS = Object.fromEntries(
  [
    'AbortController', 'Buffer', 'URL', 'URLSearchParams', 'clearImmediate', 'clearInterval',
    'clearTimeout', 'console', 'fetch', 'global', 'process', 'queueMicrotask', 'setImmediate',
    'setInterval', 'setTimeout', 'structuredClone',
  ].map((name) => [name, 'readonly']),
);
const COMMONJS_GLOBALS = { __dirname: 'readonly', __filename: 'readonly', exports: 'writable', module: 'writable', require: 'readonly' };

export default defineConfig(
  globalIgnores([
    '**/dist/',
    '**/coverage/',
    'data/',
    // Fixture trees hold deliberate violations (see test/dependency-rules.int-spec.ts) and are
    // outside the TypeScript project.
    '**/fixtures/',
    '**/__fixtures__/',
  ]),

  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  // Rules for every file, JavaScript or TypeScript.
  {
    files: [...TS_FILES, ...JS_FILES],
    extends: [js.configs.recommended],
    rules: {
      // `x == null` is the one loose comparison worth keeping: null or undefined.
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'no-console': 'error',
    },
  },

  // TypeScript: typescript-eslint's type-checked recommended rules, with type information from
  // the tsconfig.json that owns each file (tsconfig.json at the root for apps, libs, test, bench
  // and scripts).
  {
    files: TS_FILES,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Both are in the recommended set; stated here because they are the point of linting with
      // types in a Nest codebase: a dropped promise is an unhandled rejection or a lost write.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      // Returning a promise from inside try/catch without awaiting it skips the catch.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      // A caught error is `unknown`; passing it on as it came is right (some errors, such as
      // better-sqlite3's, are not `instanceof Error` in every realm), wrapping it would lose it.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // Safe with Nest's constructor injection: with experimentalDecorators and
      // emitDecoratorMetadata in tsconfig.json, the rule leaves alone every file that has a
      // decorator, so a class used only as an injected type is never turned into a type import
      // (which would erase the metadata DI reads).
      '@typescript-eslint/consistent-type-imports': [
        'error',
        { prefer: 'type-imports', fixStyle: 'separate-type-imports', disallowTypeAnnotations: true },
      ],
      // Switches over event and command unions must name every member; a `default` does not
      // excuse a missing case (STYLE.md, habit 2).
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        {
          allowDefaultCaseForExhaustiveSwitch: true,
          considerDefaultExhaustiveForUnions: false,
          requireDefaultForNonUnion: false,
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrors: 'all',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@nestjs/common',
              importNames: ['forwardRef'],
              message: 'A forwardRef hides a dependency cycle: break the cycle instead (STYLE.md).',
            },
          ],
        },
      ],
    },
  },

  // Tests: jest's asymmetric matchers (expect.any, expect.stringContaining, ...) are typed `any`
  // by @types/jest, so placing one inside an expected object literal is flagged as an unsafe
  // assignment although it is the idiom. Every other type-checked rule stays on in tests.
  {
    files: SPEC_FILES,
    rules: { '@typescript-eslint/no-unsafe-assignment': 'off' },
  },

  // The domain takes time and ids from the command (metadata.now), never from the machine; the
  // import side of that rule is .dependency-cruiser.cjs, the globals side is here.
  {
    files: ['libs/domain/src/**/*.ts'],
    ignores: SPEC_FILES,
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'The domain takes the time from the command (metadata.now), not from the clock.',
        },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: 'The domain takes the time from the command (metadata.now), not from the clock.',
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: 'The domain is deterministic: ids and random choices come in with the command.',
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'crypto', message: 'The domain takes ids from the command, not from crypto.' },
        { name: 'process', message: 'The domain does not read the environment: pass configuration in.' },
        { name: 'setTimeout', message: 'The domain has no timers: time is an input.' },
        { name: 'setInterval', message: 'The domain has no timers: time is an input.' },
      ],
    },
  },

  // Where printing is the job: tests, benchmarks, scripts, and the apps' startup lines.
  {
    files: ['test/**', 'bench/**', 'scripts/**', 'apps/*/src/main.ts'],
    rules: { 'no-console': 'off' },
  },

  // Plain JavaScript (config files such as jest.config.js, eslint.config.mjs,
  // .dependency-cruiser.cjs): no type information needed or used.
  {
    files: JS_FILES,
    languageOptions: {
      ecmaVersion: 'latest',
      globals: NODE_GLOBALS,
    },
  },
  {
    files: ['**/*.{js,cjs}'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { ...NODE_GLOBALS, ...COMMONJS_GLOBALS },
    },
  },
);
