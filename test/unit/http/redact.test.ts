import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createJsonLinesLogger } from '../../../src/infra/logging/json-lines-logger.js';
import { REDACTED, redactSecrets } from '../../../src/infra/logging/redact.js';

describe('log redaction', () => {
  it('redacts secret-named fields at any depth, whatever their case or separators', () => {
    expect(
      redactSecrets({
        password: 'p1',
        bind_password: 'p2',
        nested: { Password: 'p3', list: [{ mfaCode: '123456' }], clientSecret: 's' },
        token: 't',
        privateKey: 'k',
        key: 'kv-entry-name',
      }),
    ).toEqual({
      password: REDACTED,
      bind_password: REDACTED,
      nested: { Password: REDACTED, list: [{ mfaCode: REDACTED }], clientSecret: REDACTED },
      token: REDACTED,
      privateKey: REDACTED,
      key: 'kv-entry-name',
    });
  });

  it('keeps stable error codes and redacts anything else called `code`', () => {
    expect(redactSecrets({ code: 'NATS_UNREACHABLE' })).toEqual({ code: 'NATS_UNREACHABLE' });
    expect(redactSecrets({ code: '123456' })).toEqual({ code: REDACTED });
    expect(redactSecrets({ error: { code: 'abc123' } })).toEqual({ error: { code: REDACTED } });
  });

  it('never writes a password given under a secret name, whatever it is', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 8 }), (secret) => {
        let line = '';
        const logger = createJsonLinesLogger((text) => {
          line = text;
        });
        logger.info('x', { password: secret, body: { password: secret } });
        const entry = JSON.parse(line) as { password: string; body: { password: string } };
        return entry.password === REDACTED && entry.body.password === REDACTED;
      }),
    );
  });
});
