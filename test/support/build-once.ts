import { execFileSync } from 'node:child_process';

/**
 * Integration and end-to-end tests run what a user runs: the compiled package in dist/.
 * Build it once before they start, so they never test a stale build.
 */
export const setup = (): void => {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
};
