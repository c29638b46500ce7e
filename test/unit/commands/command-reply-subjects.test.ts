import { describe, expect, it } from 'vitest';
import { commandRequestOptions } from '../../../src/infra/commands/command-client.js';
import {
  commandRepliesPrefix,
  isCommandReplySubject,
} from '../../../src/infra/commands/command-subjects.js';

describe("a command's reply subject", () => {
  it("is one token under the tenant's replies, and nothing else", () => {
    expect(isCommandReplySubject('acme', 'passage.acme.replies.K9x_2-a')).toBe(true);
    for (const subject of [
      'passage.acme.replies.',
      'passage.acme.replies',
      'passage.acme.replies.a.b',
      'passage.acme.replies.*',
      'passage.acme.replies.>',
      `passage.acme.replies.${'a'.repeat(65)}`,
      'passage.beta.replies.abc',
      'passage.acme.signin.abc',
      '_INBOX.abc',
      'passage.acme.repliesX.abc',
    ]) {
      expect(isCommandReplySubject('acme', subject), subject).toBe(false);
    }
  });

  it('is what sendCommand asks for: a fresh one every time', () => {
    const first = commandRequestOptions('acme', 5000);
    const second = commandRequestOptions('acme', 5000);
    expect(first).toMatchObject({ timeout: 5000, noMux: true });
    expect(first.reply.startsWith(`${commandRepliesPrefix('acme')}.`)).toBe(true);
    expect(isCommandReplySubject('acme', first.reply)).toBe(true);
    expect(second.reply).not.toBe(first.reply);
  });
});
