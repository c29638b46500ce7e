import { describe, expect, it } from 'vitest';
import * as activeDirectory from '../../../src/domain/outcomes/active-directory.js';
import * as outcomes from '../../../src/domain/outcomes/index.js';
import * as ldapResultCodes from '../../../src/domain/outcomes/ldap-result-codes.js';
import * as openldap from '../../../src/domain/outcomes/openldap.js';
import * as outcomeTable from '../../../src/domain/outcomes/outcome-table.js';
import * as vocabulary from '../../../src/domain/outcomes/vocabulary.js';

const MODULES = {
  'vocabulary.ts': vocabulary,
  'ldap-result-codes.ts': ldapResultCodes,
  'active-directory.ts': activeDirectory,
  'openldap.ts': openldap,
  'outcome-table.ts': outcomeTable,
};

describe('index.ts', () => {
  const index: Readonly<Record<string, unknown>> = outcomes;

  it.each(Object.entries(MODULES))('re-exports every value %s exports', (_file, module) => {
    const values: Readonly<Record<string, unknown>> = module;
    const exported = Object.keys(values);
    expect(exported.length).toBeGreaterThan(0);
    for (const name of exported) {
      expect(Object.hasOwn(index, name), name).toBe(true);
      expect(index[name], name).toBe(values[name]);
    }
  });

  it('exports nothing of its own', () => {
    const fromModules = new Set(Object.values(MODULES).flatMap((m) => Object.keys(m)));
    expect(Object.keys(outcomes).filter((name) => !fromModules.has(name))).toEqual([]);
  });
});

describe('ldap-result-codes.ts', () => {
  it.each([51, 52, 81, 85, 91])('%i means the directory is unavailable', (code) => {
    expect(ldapResultCodes.isDirectoryUnavailableCode(code)).toBe(true);
  });

  it.each([0, 49, 53, 80, 82, -1])('%i does not', (code) => {
    expect(ldapResultCodes.isDirectoryUnavailableCode(code)).toBe(false);
  });
});
