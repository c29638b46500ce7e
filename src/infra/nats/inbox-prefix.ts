/**
 * Every passage client that authenticates with an NKey takes its reply inboxes under
 * `_INBOX.<its public key>`, and its permissions let it subscribe there and nowhere else in
 * `_INBOX`: replies (JetStream API answers, pulled messages, KV values, MFA secrets among
 * them) reach only the user that asked. The prefix follows from the key, so neither the
 * client nor the server configuration needs another setting.
 */
export const inboxPrefixOf = (publicKey: string): string => `_INBOX.${publicKey}`;
