// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * Node modules that do I/O, read the clock or draw random numbers. src/domain may import none
 * of them: the domain is pure, so that replaying an attempt gives the same answer forever.
 */
const IO_MODULES = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'child_process',
  'cluster',
  'dgram',
  'dns',
  'tls',
  'os',
  'process',
  'readline',
  'stream',
  'worker_threads',
  'crypto',
  'perf_hooks',
  'timers',
  'timers/promises',
  'inspector',
  'v8',
  'vm',
];
const PURITY = 'src/domain is pure: no I/O, no clock, no randomness (see design.md).';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use explicit named exports.' },
      ],
    },
  },
  {
    // A reporter class is the one default export vitest requires.
    files: ['test/support/*-reporter.ts', '*.config.ts', '*.config.js'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: IO_MODULES.flatMap((name) => [
            { name, message: PURITY },
            { name: `node:${name}`, message: PURITY },
          ]),
          patterns: [
            {
              regex: '(^|/)(actors|infra|cli|testing)(/|$)',
              message: 'src/domain may not import from actors/, infra/, cli/ or testing/.',
            },
            {
              regex: '^(@nats-io/|ldapts|libsodium|fastify|oidc-provider)',
              message: PURITY,
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...[
          'process',
          'performance',
          'crypto',
          'console',
          'fetch',
          'setTimeout',
          'setInterval',
          'setImmediate',
          'queueMicrotask',
        ].map((name) => ({ name, message: PURITY })),
      ],
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportDefaultDeclaration', message: 'Use explicit named exports.' },
        {
          selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
          message: `${PURITY} Time arrives inside commands and events.`,
        },
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: `${PURITY} Time arrives inside commands and events.`,
        },
        {
          selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']",
          message: `${PURITY} Ids arrive inside commands.`,
        },
      ],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
