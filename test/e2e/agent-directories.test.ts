import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import '../support/directory-fixtures.js';
import { sambaAgentArgs, slapdAgentArgs } from '../support/directory-args.js';
import { answeredResult, startAgentStack, type AgentStack } from '../support/agent-stack.js';

/**
 * The authentication agent as users run it (`passage agent run`), against the real Samba
 * AD domain controller and the real slapd of this test run, through a real nats-server and
 * the sign-in service: every account state comes back as its own result.
 */
const { samba, slapd } = inject('directories');
let stack: AgentStack;

const adArgs = (loginAttribute: string) => sambaAgentArgs(samba, loginAttribute);

beforeAll(async () => {
  stack = await startAgentStack();
  await stack.startAgent({
    tenant: 'ad-upn',
    agentId: 'agent-upn',
    directoryArgs: adArgs('userPrincipalName'),
  });
  await stack.startAgent({
    tenant: 'ad-sam',
    agentId: 'agent-sam',
    directoryArgs: adArgs('sAMAccountName'),
  });
  await stack.startAgent({
    tenant: 'ad-mail',
    agentId: 'agent-mail',
    directoryArgs: adArgs('mail'),
  });
  await stack.startAgent({
    tenant: 'openldap',
    agentId: 'agent-ldap',
    directoryArgs: await slapdAgentArgs(slapd, stack.workDir),
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

describe('an agent against Active Directory (Samba AD DC)', () => {
  const users = Object.entries(samba.users);

  it.each(users)('%s: the directory answer comes back as its own result', async (key, user) => {
    const { records } = await stack.signIn('ad-upn', user.upn, user.attemptPassword, `ad-${key}`);
    expect(answeredResult(records)).toBe(user.expected);
  });

  it('signs in by sAMAccountName and by mail (alternate login IDs)', async () => {
    const good = samba.users.good;
    const bySam = await stack.signIn('ad-sam', good.username, good.password, 'alt-sam');
    expect(bySam.outcome).toBe('signedIn');
    const byMail = await stack.signIn('ad-mail', good.mail, good.password, 'alt-mail');
    expect(byMail.outcome).toBe('signedIn');
  });
});

describe('an agent against OpenLDAP (slapd with ppolicy)', () => {
  it.each(Object.entries(slapd.users))('%s: told apart', async (key, user) => {
    const { records } = await stack.signIn('openldap', user.uid, user.attemptPassword, `ol-${key}`);
    expect(answeredResult(records)).toBe(user.expected);
  });
});

describe('hostile user names', () => {
  const hostile = [
    '*',
    'alice)(|(cn=*)',
    'admin*',
    'bob\\00',
    `${'a'.repeat(200)}*`,
    'Zoë*',
    '主*',
  ];

  it.each(hostile.map((name, i) => [name.slice(0, 30), name, i] as const))(
    '%s never signs anyone in',
    async (_, name, i) => {
      for (const tenant of ['ad-sam', 'openldap']) {
        const { outcome } = await stack.signIn(
          tenant,
          name,
          samba.users.good.password,
          `hostile-${tenant}-${i}`,
        );
        expect(outcome).not.toBe('signedIn');
        expect(outcome).not.toBe('directoryUnavailable');
      }
    },
  );

  it('a user name with NUL or of 10,000 characters is refused before any agent is asked', async () => {
    const host = (await stack.service('ad-sam')).services.host;
    const at = new Date().toISOString();
    await host.handle({
      type: 'start',
      commandId: 'c1',
      at,
      attemptId: 'hostile-long',
      tenant: 'ad-sam',
      client: { applicationId: null, address: null },
    });
    for (const username of ['bob\u0000', 'x'.repeat(10_000)]) {
      const result = await host.handle({
        type: 'submitUsername',
        commandId: `c-${username.length}`,
        at,
        attemptId: 'hostile-long',
        username,
      });
      expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_MESSAGE' } });
    }
  });

  it('the agents are still up and still sign the good user in', async () => {
    const good = samba.users.good;
    expect(
      (await stack.signIn('ad-sam', good.username, good.password, 'after-hostile')).outcome,
    ).toBe('signedIn');
  });
});
