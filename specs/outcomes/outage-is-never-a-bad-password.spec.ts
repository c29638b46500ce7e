import { describe, expect, it } from 'vitest';
import {
  agentResultFromActiveDirectory,
  agentResultFromOpenLdap,
  outcomeOfAgentResult,
} from '../../src/domain/outcomes/index.js';

// If the directory is down, busy or broken, the user's password was never judged. Counting
// that as a failed attempt would lock people out during an outage, so it never counts, and
// the user is told to try again later, not that the password was wrong.

const OUTAGES = [
  [51, 'the directory is busy'],
  [52, 'the directory is unavailable'],
  [81, 'the server is down'],
  [85, 'the request timed out'],
  [91, 'the connection failed'],
] as const;

const FAULTS = [
  [80, 'the directory answered "other" (an internal error)'],
  [53, 'the directory is unwilling to perform the bind'],
  [8, 'the directory wants a stronger connection (LDAPS)'],
] as const;

describe('an outage is never a bad password', () => {
  it.each(OUTAGES)('Active Directory %i (%s): directory unavailable, nothing counted', (code) => {
    const info = outcomeOfAgentResult(agentResultFromActiveDirectory(code, ''));
    expect(info.outcome).toBe('directoryUnavailable');
    expect(info.code).toBe('DIRECTORY_UNAVAILABLE');
    expect(info.countsAsFailure).toBe(false);
  });

  it.each(OUTAGES)('OpenLDAP %i (%s): directory unavailable, nothing counted', (code) => {
    const info = outcomeOfAgentResult(agentResultFromOpenLdap({ resultCode: code }));
    expect(info.outcome).toBe('directoryUnavailable');
    expect(info.countsAsFailure).toBe(false);
  });

  it.each(FAULTS)('a directory fault, %i (%s), is not counted either', (code) => {
    const fromAd = outcomeOfAgentResult(agentResultFromActiveDirectory(code, ''));
    const fromOpenLdap = outcomeOfAgentResult(agentResultFromOpenLdap({ resultCode: code }));
    for (const info of [fromAd, fromOpenLdap]) {
      expect(info.outcome).toBe('directoryUnavailable');
      expect(info.countsAsFailure).toBe(false);
    }
  });

  it('and the user is not told the password was wrong', () => {
    const outage = outcomeOfAgentResult(agentResultFromActiveDirectory(52, ''));
    const wrong = outcomeOfAgentResult(agentResultFromActiveDirectory(49, 'data 52e'));
    expect(outage.message).not.toBe(wrong.message);
    expect(outage.code).not.toBe(wrong.code);
  });
});
