import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AGENT_RESULTS,
  PPOLICY_NO_ERROR,
  agentResultFromActiveDirectory,
  agentResultFromOpenLdap,
  parseActiveDirectoryBindError,
} from '../../../src/domain/outcomes/index.js';

// Messages come off the network: any text at all, in any script.
const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
);

// Text built from the characters that matter to the parser, so that near misses are common.
const parserishText = fc.string({
  unit: fc.constantFrom(...'data DATA 0123456789abcdefABCDEFgxz,:\t\n'.split('')),
  maxLength: 60,
});

// Any number an adapter might hand over as a result code.
const anyCode = fc.oneof(
  fc.constantFrom(0, 49, 51, 52, 53, 80, 81, 85, 91),
  fc.integer(),
  fc.double(),
);

const hexSubCode = fc.string({
  unit: fc.constantFrom(...'0123456789abcdefABCDEF'.split('')),
  minLength: 1,
  maxLength: 8,
});

describe('parseActiveDirectoryBindError on arbitrary input', () => {
  it('never throws and returns null or a normalised hex sub-code', () => {
    fc.assert(
      fc.property(fc.oneof(anyText, parserishText), (message) => {
        const subCode = parseActiveDirectoryBindError(message);
        expect(subCode === null || /^(0|[1-9a-f][0-9a-f]{0,7})$/.test(subCode)).toBe(true);
      }),
    );
  });

  it('finds any 1-8 digit sub-code, whatever its case, inside an AD message', () => {
    fc.assert(
      fc.property(hexSubCode, fc.boolean(), (hex, upperKeyword) => {
        const keyword = upperKeyword ? 'DATA' : 'data';
        const message = `80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, ${keyword} ${hex}, v1db1`;
        expect(parseActiveDirectoryBindError(message)).toBe(Number.parseInt(hex, 16).toString(16));
      }),
    );
  });

  it('does not care about the case of the message', () => {
    fc.assert(
      fc.property(parserishText, (message) => {
        expect(parseActiveDirectoryBindError(message.toUpperCase())).toBe(
          parseActiveDirectoryBindError(message.toLowerCase()),
        );
      }),
    );
  });
});

describe('the mappers on arbitrary input', () => {
  it('agentResultFromActiveDirectory always returns a member of AGENT_RESULTS', () => {
    fc.assert(
      fc.property(anyCode, fc.oneof(anyText, parserishText), (code, message) => {
        expect(AGENT_RESULTS).toContain(agentResultFromActiveDirectory(code, message));
      }),
    );
  });

  it('agentResultFromActiveDirectory says success only for result code 0', () => {
    fc.assert(
      fc.property(anyCode, anyText, (code, message) => {
        const result = agentResultFromActiveDirectory(code, message);
        expect(result === 'success').toBe(code === 0);
      }),
    );
  });

  const anyPpolicyError = fc.option(
    fc.oneof(fc.integer({ min: -2, max: 12 }), fc.integer(), fc.double()),
    { nil: null },
  );

  it('agentResultFromOpenLdap always returns a member of AGENT_RESULTS', () => {
    fc.assert(
      fc.property(anyCode, anyPpolicyError, (resultCode, ppolicyError) => {
        expect(AGENT_RESULTS).toContain(agentResultFromOpenLdap({ resultCode, ppolicyError }));
      }),
    );
  });

  it('agentResultFromOpenLdap says success only for 0 with no ppolicy error', () => {
    fc.assert(
      fc.property(anyCode, anyPpolicyError, (resultCode, ppolicyError) => {
        const noError = ppolicyError === null || ppolicyError === PPOLICY_NO_ERROR;
        const result = agentResultFromOpenLdap({ resultCode, ppolicyError });
        expect(result === 'success').toBe(resultCode === 0 && noError);
      }),
    );
  });
});
