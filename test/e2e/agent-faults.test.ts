import { spawnSync } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { isLeft } from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { canonicalJson } from '../../src/actors/records/canonical-json.js';
import type { AnswerPayload } from '../../src/domain/wire/agent-messages.js';
import { enrolAgent } from '../../src/infra/agents/agent-enrolment.js';
import { createTokenIssuer } from '../../src/infra/agents/registration-tokens.js';
import {
  generateAgentKeys,
  publicKeysOf,
  type AgentKeys,
} from '../../src/infra/crypto/agent-keys.js';
import { sealFor } from '../../src/infra/crypto/seal.js';
import { signAnswer } from '../../src/infra/crypto/sign.js';
import { createAccountLockout } from '../../src/actors/lockout/account-lockout.js';
import { silentLogger } from '../../src/actors/ports/logger.js';
import '../support/directory-fixtures.js';
import { startAgentStack, type AgentStack } from '../support/agent-stack.js';
import { eventually } from '../support/sign-in-commands.js';

/**
 * Attacks and refusals around the agents, on real processes: forged answers, an expired
 * request, smart lockout before any agent is asked, a key rotation while running; and
 * afterwards, no password in the JetStream store or in any log. An agent killed under load
 * and the directory going away (and coming back) are in the fault suite, test/e2e/faults/.
 */
const { slapd } = inject('directories');
let stack: AgentStack;
const passwordsUsed = new Set<string>();

const ldapArgs = (
  directory: { ldapsUrl: string; caFile: string; baseDn: string; bindDn: string },
  passwordFile: string,
) => [
  '--ldap-dialect',
  'openldap',
  '--ldap-url',
  directory.ldapsUrl,
  '--ldap-ca-file',
  directory.caFile,
  '--ldap-base-dn',
  directory.baseDn,
  '--ldap-bind-dn',
  directory.bindDn,
  '--ldap-bind-password-file',
  passwordFile,
];

const writeSecret = async (name: string, secret: string) => {
  const { writeFile } = await import('node:fs/promises');
  const file = join(stack.workDir, name);
  await writeFile(file, secret, { mode: 0o600 });
  return file;
};

const signIn = async (tenant: string, username: string, password: string, attemptId: string) => {
  passwordsUsed.add(password);
  return stack.signIn(tenant, username, password, attemptId);
};

beforeAll(async () => {
  stack = await startAgentStack();
}, 60_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

describe('answers the service refuses', () => {
  let keys: AgentKeys;

  beforeAll(async () => {
    await stack.service('forge');
    keys = await generateAgentKeys(new Date());
    const tokens = createTokenIssuer({ nc: stack.client });
    const issued = await tokens.issue('forge', { ttlSeconds: 60 });
    if (isLeft(issued)) throw new Error(issued.left.message);
    const enrolled = await enrolAgent(
      { registry: stack.registry, tokens },
      {
        tenant: 'forge',
        agentId: 'ghost',
        displayName: 'an agent the test plays itself',
        publicKeys: await publicKeysOf(keys),
        token: issued.right.token,
      },
    );
    if (isLeft(enrolled)) throw new Error(enrolled.left.message);
    await stack.registry.heartbeat({
      v: 1,
      tenant: 'forge',
      agentId: 'ghost',
      at: new Date().toISOString(),
      directoryReachable: true,
      release: 'test',
    });
  });

  const publishAnswer = async (payload: AnswerPayload, signWith: AgentKeys) => {
    const signed = await signAnswer(payload, signWith);
    if (isLeft(signed)) throw new Error(signed.left.message);
    await jetstream(stack.client).publish('passage.forge.answers', JSON.stringify(signed.right));
  };

  it('records a bad signature, unknown agents and another request as security events, then takes the real answer', async () => {
    const node = await stack.service('forge');
    const { host, submitPassword } = node.services;
    const at = () => new Date().toISOString();
    await host.handle({
      type: 'start',
      commandId: 'c1',
      at: at(),
      attemptId: 'forged',
      tenant: 'forge',
      client: { applicationId: null, address: null },
    });
    await host.handle({
      type: 'submitUsername',
      commandId: 'c2',
      at: at(),
      attemptId: 'forged',
      username: 'ada',
    });
    passwordsUsed.add('Forge-Secret-1');
    const queued = await submitPassword?.('forged', 'Forge-Secret-1', 'c3');
    expect(queued?.ok).toBe(true);
    const loaded = await host.load('forged');
    if (!loaded.ok) throw new Error(loaded.error.message);
    const requestId = loaded.attempt.state.context.request?.requestId ?? '';
    const payload = (overrides: Partial<AnswerPayload>): AnswerPayload => ({
      v: 1,
      tenant: 'forge',
      attemptId: 'forged',
      requestId,
      agentId: 'ghost',
      result: 'success',
      domainController: 'dc.forged',
      answeredAt: at(),
      ...overrides,
    });
    const stranger = await generateAgentKeys(new Date());
    // Ghost's own signature over another payload: the result was changed after signing.
    const genuine = await signAnswer(payload({ result: 'invalidCredentials' }), keys);
    if (isLeft(genuine)) throw new Error(genuine.left.message);
    await jetstream(stack.client).publish(
      'passage.forge.answers',
      JSON.stringify({
        ...genuine.right,
        payload: Buffer.from(canonicalJson(payload({ result: 'success' }))).toString('base64'),
      }),
    );
    await publishAnswer(payload({ agentId: 'nobody' }), stranger); // an agent nobody registered
    await publishAnswer(payload({}), stranger); // claims ghost, signed with a key ghost never had
    await publishAnswer(payload({ requestId: 'another-request' }), keys); // ghost, wrong request

    const rejected = await eventually('four rejections recorded', async () => {
      const again = await host.load('forged');
      return again.ok && again.attempt.state.context.rejectedAnswers === 3
        ? again.attempt
        : undefined;
    });
    expect(rejected.state.value).toBe('queued');

    await publishAnswer(payload({}), keys);
    const done = await eventually('the real answer', async () => {
      const again = await host.load('forged');
      return again.ok && again.attempt.state.value === 'done' ? again.attempt : undefined;
    });
    expect(done.state.context.outcome).toBe('signedIn');
    expect(stack.serviceLogs()).toContain('"reason":"badSignature"');
    expect(stack.serviceLogs()).toContain('"reason":"unknownAgent"');
    expect(stack.serviceLogs()).toContain('"reason":"requestMismatch"');
  }, 60_000);
});

describe('requests the agent refuses', () => {
  it('refuses an expired request: no answer, moved aside without its sealed box', async () => {
    const passwordFile = await writeSecret('slapd-bind-expired', slapd.bindPassword);
    const agent = await stack.startAgent({
      tenant: 'expiry',
      agentId: 'agent-x',
      directoryArgs: ldapArgs(slapd, passwordFile),
    });
    const registration = await stack.registry.get('expiry', 'agent-x');
    if (isLeft(registration)) throw new Error(registration.left.message);
    const boxKey = registration.right.boxKeys[0];
    if (boxKey === undefined) throw new Error('no box key');
    const past = new Date(Date.now() - 60_000).toISOString();
    passwordsUsed.add(slapd.users.good.password);
    const sealed = await sealFor(
      {
        v: 1,
        tenant: 'expiry',
        attemptId: 'late',
        requestId: 'late-request',
        agentId: 'agent-x',
        username: slapd.users.good.uid,
        password: slapd.users.good.password,
        expiresAt: past,
      },
      boxKey,
    );
    if (isLeft(sealed)) throw new Error(sealed.left.message);
    await jetstream(stack.client).publish(
      'passage.expiry.requests',
      JSON.stringify({
        v: 1,
        tenant: 'expiry',
        attemptId: 'late',
        requestId: 'late-request',
        expiresAt: past,
        sealed: [{ agentId: 'agent-x', keyId: boxKey.keyId, ciphertext: sealed.right }],
      }),
    );
    await eventually('the agent to refuse it', () =>
      Promise.resolve(agent.logs().includes('"code":"REQUEST_EXPIRED"') ? true : undefined),
    );
    expect(agent.logs()).not.toContain('"event":"agent.answered"');

    const consumer = await jetstream(stack.client).consumers.get('PASSAGE_DEAD', {
      filter_subjects: 'passage.expiry.dead.>',
      deliver_policy: DeliverPolicy.All,
    });
    const letter = await consumer.next({ expires: 5000 });
    expect(letter).not.toBeNull();
    const text = letter?.string() ?? '';
    expect(text).toContain('REQUEST_EXPIRED');
    expect(text).toContain('late-request');
    expect(text).not.toContain(sealed.right);
    expect(text).not.toContain('ciphertext');
  }, 60_000);
});

describe('smart lockout', () => {
  it('locks an account after wrong passwords from an unfamiliar place, before any agent is asked', async () => {
    const passwordFile = await writeSecret('slapd-bind-lockout', slapd.bindPassword);
    await stack.startAgent({
      tenant: 'lockout',
      agentId: 'agent-l',
      directoryArgs: ldapArgs(slapd, passwordFile),
    });
    const victim = slapd.users.badpass;
    for (let i = 0; i < 3; i += 1) {
      const { outcome } = await signIn('lockout', victim.uid, `Wrong-Guess-${i}`, `guess-${i}`);
      // The guess that reaches the threshold may already be told so: counting and evaluating
      // its answer run side by side, and evaluation asks smart lockout again.
      expect(i < 2 ? ['invalidCredentials'] : ['invalidCredentials', 'lockedOut']).toContain(
        outcome,
      );
    }
    const node = await stack.service('lockout');
    const lockout = createAccountLockout({
      store: node.store,
      tenant: 'lockout',
      logger: silentLogger,
    });
    await eventually('the account to be locked', async () =>
      (await lockout.status(victim.uid, '203.0.113.9', new Date())).locked ? true : undefined,
    );
    const refused = await signIn('lockout', victim.uid, victim.password, 'guess-after-lock');
    expect(refused.outcome).toBe('lockedOut');
    expect(refused.records.map((r) => r.event.type)).not.toContain('PasswordQueued');
  }, 60_000);
});

describe('key rotation', () => {
  it('passage agent rotate while the agent runs: sign-ins go on, under the new keys', async () => {
    const passwordFile = await writeSecret('slapd-bind-rotate', slapd.bindPassword);
    const agent = await stack.startAgent({
      tenant: 'rotate',
      agentId: 'agent-r',
      directoryArgs: ldapArgs(slapd, passwordFile),
    });
    const good = slapd.users.good;
    expect((await signIn('rotate', good.uid, good.password, 'before-rotation')).outcome).toBe(
      'signedIn',
    );
    const before = await stack.registry.get('rotate', 'agent-r');
    if (isLeft(before)) throw new Error(before.left.message);

    const rotated = spawnSync(
      process.execPath,
      [
        'dist/cli/main.js',
        'agent',
        'rotate',
        '--key-file',
        join(stack.workDir, 'rotate-agent-r.keys.json'),
        '--tenant',
        'rotate',
        '--agent-id',
        'agent-r',
        '--nats',
        stack.nats.server.url,
      ],
      { cwd: new URL('../../', import.meta.url).pathname, encoding: 'utf8', timeout: 30_000 },
    );
    expect(rotated.status).toBe(0);
    const after = await stack.registry.get('rotate', 'agent-r');
    if (isLeft(after)) throw new Error(after.left.message);
    expect(after.right.boxKeys[0]?.keyId).not.toBe(before.right.boxKeys[0]?.keyId);
    expect(after.right.boxKeys[1]?.keyId).toBe(before.right.boxKeys[0]?.keyId);

    // The service now seals with the new key; the running agent picks it up from its file.
    expect((await signIn('rotate', good.uid, good.password, 'after-rotation')).outcome).toBe(
      'signedIn',
    );
    expect(agent.child.exitCode).toBeNull();
  }, 60_000);
});

describe('secrets at rest', () => {
  const filesUnder = async (dir: string): Promise<string[]> => {
    const entries = await readdir(dir, { withFileTypes: true, recursive: true });
    return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  };

  it('no password used in this file is in the JetStream store directory or any log', async () => {
    expect(passwordsUsed.size).toBeGreaterThan(1);
    const files = await filesUnder(stack.nats.storeDir);
    expect(files.length).toBeGreaterThan(0);
    const haystacks = [
      ...(await Promise.all(files.map((file) => readFile(file)))),
      Buffer.from(stack.serviceLogs()),
      ...stack.agentLogs().map((log) => Buffer.from(log)),
    ];
    for (const password of passwordsUsed) {
      const needle = Buffer.from(password);
      for (const haystack of haystacks) expect(haystack.includes(needle)).toBe(false);
    }
  });
});
