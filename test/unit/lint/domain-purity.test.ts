import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

/**
 * The lint rule that keeps src/domain pure, checked against probe snippets: each forbidden
 * thing must be reported when it appears under src/domain, and allowed elsewhere.
 */
const eslint = new ESLint({
  cwd: new URL('../../../', import.meta.url).pathname,
  // Type information is not needed for these rules; without it a probe needs no real file.
  overrideConfig: tseslint.configs.disableTypeChecked,
});

const problemsIn = async (filePath: string, code: string): Promise<string[]> => {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
};

const FORBIDDEN_IN_DOMAIN: ReadonlyArray<readonly [string, string]> = [
  ['an import from infra/', "import { x } from '../../infra/nats.js';\nexport const y = x;\n"],
  ['an import from actors/', "import { x } from '../actors/host.js';\nexport const y = x;\n"],
  ['node:fs', "import { readFileSync } from 'node:fs';\nexport const y = readFileSync;\n"],
  [
    'fs without the node: prefix',
    "import { readFileSync } from 'fs';\nexport const y = readFileSync;\n",
  ],
  ['node:crypto', "import { randomUUID } from 'node:crypto';\nexport const y = randomUUID;\n"],
  ['node:child_process', "import { spawn } from 'node:child_process';\nexport const y = spawn;\n"],
  ['an infrastructure library', "import { Client } from 'ldapts';\nexport const y = Client;\n"],
  ['Date.now()', 'export const now = (): number => Date.now();\n'],
  ['new Date() without arguments', 'export const now = (): Date => new Date();\n'],
  ['Math.random()', 'export const id = (): number => Math.random();\n'],
  ['the global crypto', 'export const id = (): string => crypto.randomUUID();\n'],
  ['process', 'export const env = (): string | undefined => process.env.HOME;\n'],
  ['setTimeout', 'export const later = (f: () => void): unknown => setTimeout(f, 1);\n'],
  ['console', "export const log = (): void => console.log('x');\n"],
];

describe('the lint rule that keeps src/domain pure', () => {
  it.each(FORBIDDEN_IN_DOMAIN)('reports %s under src/domain', async (_, code) => {
    const problems = await problemsIn('src/domain/signin/probe.ts', code);
    expect(problems.some((p) => /^no-restricted-(imports|globals|syntax)/.test(p))).toBe(true);
  });

  it('allows the same code outside src/domain', async () => {
    for (const [, code] of FORBIDDEN_IN_DOMAIN) {
      const problems = await problemsIn('src/infra/probe.ts', code);
      expect(problems.filter((p) => /^no-restricted-(imports|globals)/.test(p))).toEqual([]);
    }
  });

  it('allows pure time arithmetic on instants that arrive in events', async () => {
    const code =
      'export const later = (at: string, s: number): string => new Date(Date.parse(at) + s * 1000).toISOString();\n';
    expect(await problemsIn('src/domain/shared/probe.ts', code)).toEqual([]);
  });
});
