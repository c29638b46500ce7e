import { describe, expect, it } from 'vitest';
import { parseAuditOptions } from '../../../src/cli/commands/audit-options.js';
import { parseReplayArgs } from '../../../src/cli/commands/replay.js';
import { natsAccessArgs, natsAccessFrom } from '../../../src/cli/nats-options.js';

/** --nats-nkey-file and --nats-ca-file, from flags or the environment, on the commands. */
describe('the NATS access options', () => {
  it('come from the flags first, then PASSAGE_NATS_NKEY_FILE and PASSAGE_NATS_CA_FILE', () => {
    const env = { PASSAGE_NATS_NKEY_FILE: '/env/user.nk', PASSAGE_NATS_CA_FILE: '/env/ca.pem' };
    expect(natsAccessFrom({}, env)).toEqual({ nkeyFile: '/env/user.nk', caFile: '/env/ca.pem' });
    expect(natsAccessFrom({ 'nats-nkey-file': '/flag/user.nk' }, env)).toEqual({
      nkeyFile: '/flag/user.nk',
      caFile: '/env/ca.pem',
    });
    expect(natsAccessFrom({}, { PASSAGE_NATS_NKEY_FILE: ' ' })).toEqual({});
  });

  it('are handed on to children as flags', () => {
    expect(natsAccessArgs({ nkeyFile: '/k.nk', caFile: '/ca.pem' })).toEqual([
      '--nats-nkey-file',
      '/k.nk',
      '--nats-ca-file',
      '/ca.pem',
    ]);
    expect(natsAccessArgs({})).toEqual([]);
  });

  it('reach replay and audit', () => {
    const replay = parseReplayArgs(['a1', '--nats-nkey-file', '/auditor.nk'], {
      PASSAGE_NATS_CA_FILE: '/ca.pem',
    });
    expect(replay).toMatchObject({ natsAccess: { nkeyFile: '/auditor.nk', caFile: '/ca.pem' } });
    const audit = parseAuditOptions(['verify', '--nats', 'tls://n:4222'], {
      PASSAGE_NATS_NKEY_FILE: '/auditor.nk',
    });
    expect(audit).toMatchObject({
      source: { natsUrl: 'tls://n:4222', natsAccess: { nkeyFile: '/auditor.nk' } },
    });
  });

  it('are refused with an exported file, which is read without NATS', () => {
    expect(parseAuditOptions(['verify', '--file', 'x.jsonl', '--nats-nkey-file', 'k.nk'])).toMatch(
      /not from --file/,
    );
    // A variable meant for NATS does not stop an offline audit.
    expect(
      parseAuditOptions(['verify', '--file', 'x.jsonl'], { PASSAGE_NATS_NKEY_FILE: '/k.nk' }),
    ).toMatchObject({ source: { file: 'x.jsonl' } });
  });
});
