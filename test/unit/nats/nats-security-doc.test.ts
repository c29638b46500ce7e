import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  SERVICE_LOG_REACTORS,
  permissionsFor,
  type PassageRole,
} from '../../../src/infra/nats/permissions.js';

/**
 * docs/nats-security.md lists, per role, every subject the role may publish to and subscribe
 * to. Each subject of the model, with its tenant, agent id and key written as placeholders,
 * must appear there in backticks: a permission added or changed in code and not in the doc
 * fails here.
 */
const DOC = readFileSync(new URL('../../../docs/nats-security.md', import.meta.url), 'utf8');
const KEY = 'UKEYPLACEHOLDER';
const SERVICE_STREAMS =
  /^\$JS\.API\.STREAM\.(INFO|CREATE|UPDATE)\.(PASSAGE_\w+|KV_passage-[a-z]+)$/;

const asWritten = (subject: string): string => {
  const stream = SERVICE_STREAMS.exec(subject);
  const general = stream === null ? subject : `$JS.API.STREAM.${stream[1] ?? ''}.<stream>`;
  return SERVICE_LOG_REACTORS.reduce(
    (text, reactor) => text.replaceAll(`${reactor}-acme`, '<reactor>-acme'),
    general,
  )
    .replaceAll('site-1', '<agent>')
    .replaceAll('acme', '<tenant>')
    .replaceAll(KEY, '<key>');
};

const subjectsOf = (role: PassageRole): string[] => {
  const permissions = permissionsFor(role, KEY, ['acme']);
  return [...permissions.publish.allow, ...permissions.subscribe.allow];
};

describe('docs/nats-security.md', () => {
  const roles: Record<string, PassageRole> = {
    agent: { role: 'agent', tenant: 'acme', agentId: 'site-1' },
    service: { role: 'service', tenant: 'acme' },
    auditor: { role: 'auditor', tenants: ['acme'] },
  };
  for (const [name, role] of Object.entries(roles)) {
    it(`lists every subject the ${name} may use`, () => {
      const missing = subjectsOf(role)
        .map(asWritten)
        .filter((subject) => !DOC.includes(`\`${subject}\``));
      expect(missing).toEqual([]);
    });
  }

  it("names the service's durable consumers the others are denied", () => {
    for (const reactor of SERVICE_LOG_REACTORS) {
      expect(DOC).toContain(`\`<tenant>_signin_${reactor}-<tenant>\``);
    }
  });
});
