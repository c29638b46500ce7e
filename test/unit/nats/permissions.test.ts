import { describe, expect, it } from 'vitest';
import { renderAuthorization } from '../../../src/infra/nats/nats-authorization-config.js';
import {
  permissionsFor,
  serviceLogConsumers,
  type PassageRole,
} from '../../../src/infra/nats/permissions.js';

/**
 * The permissions model as data: what each role may publish and subscribe to. The real
 * server holds clients to it in test/integration/nats/role-permissions.test.ts; here, the
 * shape of the lists: nothing crosses a tenant, nothing is wider than the role needs.
 */
const KEY = 'UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4';
const OPERATOR = 'UBU7ERGZHNXDVUFVJTIA34BQSZQZ6BWNM6GIMPJL5XPAZRUUMZUDXNQ4';
const TENANTS = ['acme', 'beta'];

const agent = permissionsFor({ role: 'agent', tenant: 'acme', agentId: 'site-1' }, KEY, TENANTS);
const service = permissionsFor({ role: 'service', tenant: 'acme' }, KEY, TENANTS);
const auditor = permissionsFor({ role: 'auditor', tenants: ['acme'] }, KEY, TENANTS);

/** The tenant token of every subject that names one: passage.<t>., $KV.<bucket>.<t>. */
const tenantsNamed = (subjects: readonly string[]): Set<string> => {
  const named = new Set<string>();
  for (const subject of subjects) {
    for (const match of subject.matchAll(/(?:^|\.)passage\.([^.]+)\./g)) named.add(match[1] ?? '');
    const kv = /\$KV\.passage-(?:agents|mfa)\.([^.]+)/.exec(subject);
    if (kv !== null) named.add(kv[1] ?? '');
  }
  return named;
};

describe('the permissions of each role', () => {
  it('name no tenant but their own, and never a wildcard where the tenant goes', () => {
    expect(tenantsNamed(agent.publish.allow)).toEqual(new Set(['acme']));
    expect(tenantsNamed(service.publish.allow)).toEqual(new Set(['acme']));
    expect(tenantsNamed(auditor.publish.allow)).toEqual(new Set(['acme']));
    expect(tenantsNamed(service.subscribe.allow)).toEqual(new Set(['acme']));
  });

  it('let every role subscribe to its own inboxes only: _INBOX.<its public key>.>', () => {
    for (const permissions of [agent, service, auditor]) {
      const inboxes = permissions.subscribe.allow.filter((subject) => subject.startsWith('_INBOX'));
      expect(inboxes).toEqual([`_INBOX.${KEY}.>`]);
    }
    expect(agent.subscribe.allow).toEqual([`_INBOX.${KEY}.>`]);
    expect(auditor.subscribe.allow).toEqual([`_INBOX.${KEY}.>`]);
  });

  it('give an agent its requests, its answers and its own registry keys, and nothing of the log', () => {
    expect(agent.publish.allow).toEqual(
      expect.arrayContaining([
        '$JS.API.CONSUMER.CREATE.PASSAGE_REQUESTS.agents-acme.passage.acme.requests',
        '$JS.API.CONSUMER.MSG.NEXT.PASSAGE_REQUESTS.agents-acme',
        '$JS.ACK.PASSAGE_REQUESTS.agents-acme.>',
        'passage.acme.answers',
        '$KV.passage-agents.acme.site-1',
        '$KV.passage-agents.acme.site-1.heartbeat',
      ]),
    );
    const log = agent.publish.allow.filter(
      (subject) =>
        subject.includes('PASSAGE_EVENTS') || /passage\.acme\.(signin|account)/.test(subject),
    );
    expect(log).toEqual([]);
    // Its registry keys are its own: no wildcard after the tenant.
    const registry = agent.publish.allow.filter((subject) => subject.includes('passage-agents.'));
    expect(registry.every((subject) => subject.includes('.acme.site-1'))).toBe(true);
    // Its revocation mark it may read, never write: only the service revokes.
    expect(agent.publish.allow).toContain(
      '$JS.API.DIRECT.GET.KV_passage-agents.$KV.passage-agents.acme.site-1.revoked',
    );
    expect(agent.publish.allow).not.toContain('$KV.passage-agents.acme.site-1.revoked');
  });

  it('let an auditor read and nothing else: no event, KV or stream write, no purge or delete of data', () => {
    const writes = auditor.publish.allow.filter(
      (subject) =>
        subject.startsWith('passage.') ||
        subject.startsWith('$KV.') ||
        /STREAM\.(CREATE|UPDATE|DELETE|PURGE|MSG\.DELETE)/.test(subject) ||
        subject.startsWith('$JS.ACK'),
    );
    expect(writes).toEqual([]);
  });

  it("deny the service's durable consumers of the log to auditors, and to other tenants' services", () => {
    const acmeReactors = serviceLogConsumers('acme');
    const betaReactors = serviceLogConsumers('beta');
    expect(acmeReactors).toEqual([
      'acme_signin_evaluate-answers-acme',
      'acme_signin_schedule-timers-acme',
      'acme_signin_record-lockout-acme',
    ]);
    for (const name of [...acmeReactors, ...betaReactors]) {
      expect(auditor.publish.deny).toContain(`$JS.API.CONSUMER.MSG.NEXT.PASSAGE_EVENTS.${name}`);
      expect(auditor.publish.deny).toContain(`$JS.API.CONSUMER.CREATE.PASSAGE_EVENTS.${name}.>`);
    }
    for (const name of betaReactors) {
      expect(service.publish.deny).toContain(`$JS.API.CONSUMER.DELETE.PASSAGE_EVENTS.${name}`);
    }
    expect(service.publish.deny.some((subject) => subject.includes('acme_'))).toBe(false);
  });

  it('refuse a tenant, agent id or key that would widen a permission', () => {
    const bad: PassageRole[] = [
      { role: 'service', tenant: '*' },
      { role: 'agent', tenant: 'acme', agentId: '>' },
      { role: 'agent', tenant: 'acme.beta', agentId: 'x' },
      { role: 'auditor', tenants: ['acme', '*'] },
      { role: 'auditor', tenants: [] },
    ];
    for (const role of bad) expect(() => permissionsFor(role, KEY, TENANTS)).toThrow(TypeError);
    expect(() => permissionsFor({ role: 'service', tenant: 'acme' }, 'U.>', TENANTS)).toThrow(
      TypeError,
    );
  });
});

describe('the authorization block for nats-server', () => {
  it('names each user by public key with its permissions, as quoted strings', () => {
    const text = renderAuthorization([
      { publicKey: KEY, description: 'agent site-1 of tenant acme', permissions: agent },
      { publicKey: OPERATOR, description: 'an operator' },
    ]);
    expect(text).toMatch(/^authorization \{\n {2}users = \[/);
    expect(text).toContain('# agent site-1 of tenant acme');
    expect(text).toContain(`nkey: "${KEY}"`);
    expect(text).toContain('"$JS.API.CONSUMER.MSG.NEXT.PASSAGE_REQUESTS.agents-acme"');
    // No deny list when there is none.
    const agentBlock = text.slice(0, text.indexOf('# an operator'));
    expect(agentBlock).not.toContain('deny:');
    expect(agentBlock).not.toContain('allow_responses');
    // The operator's user has every right: no permissions block at all.
    expect(text.slice(text.indexOf('# an operator'))).not.toContain('permissions');
  });

  it("answers commands on the tenant's replies subjects, never through allow_responses", () => {
    const service = permissionsFor({ role: 'service', tenant: 'acme' }, KEY, TENANTS);
    expect(service.publish.allow).toContain('passage.acme.replies.*');
    expect(service.publish.allow.some((subject) => subject.startsWith('passage.beta.'))).toBe(
      false,
    );
    const text = renderAuthorization([
      { publicKey: KEY, description: 'service', permissions: service },
      { publicKey: OPERATOR, description: 'agent', permissions: agent },
      { publicKey: OPERATOR, description: 'auditor', permissions: auditor },
    ]);
    // nats-server 2.9 would remember every delivery's reply subject for such a user.
    expect(text).not.toContain('allow_responses');
  });

  it('keeps a description on one comment line', () => {
    const text = renderAuthorization([{ publicKey: KEY, description: 'two\nlines' }]);
    expect(text).toContain('# two lines');
  });
});
