import { defineConfig } from 'vitest/config';

/**
 * Three groups, each with its own npm script: `unit` (pure code and executable specs, fast,
 * parallel), `integration` (real processes and files, one module at a time where they share
 * fixed ports) and `e2e` (the built `passage` command as a user runs it).
 */
export default defineConfig({
  test: {
    reporters: ['default', './test/support/plain-summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'specs/**/*.spec.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/build-once.ts', 'test/support/directory-fixtures.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      // Only when asked (`npm run record:histories`): it writes the fixture histories of a
      // newly released machine version, which `npm test` then replays for ever after.
      ...(process.env['PASSAGE_RECORD_HISTORIES'] === '1'
        ? [
            {
              test: {
                name: 'record-histories',
                include: ['test/fixtures/histories/record-histories.ts'],
              },
            },
          ]
        : []),
      // Only when asked (`npm run bench:samba`): passage bench against a Samba AD DC it
      // starts, prints its report; measures, asserts no speed (docs/performance.md).
      ...(process.env['PASSAGE_BENCH_SAMBA'] === '1'
        ? [
            {
              test: {
                name: 'bench-samba',
                include: ['test/bench/bench-on-samba.ts'],
                globalSetup: ['test/support/build-once.ts'],
              },
            },
          ]
        : []),
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/support/build-once.ts', 'test/support/directory-fixtures.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
