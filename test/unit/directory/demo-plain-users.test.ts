import { describe, expect, it } from 'vitest';
import {
  DEMO_BASE_DN,
  demoUserDn,
  planDemoDirectory,
  renderLdif,
} from '../../../src/infra/directory/demo/index.js';

const NOW = new Date('2026-12-04T10:00:00.000Z');

describe('plain users in the demo directory (what passage bench seeds)', () => {
  const plain = [
    { username: 'bench.0001', password: 'pw-one-not-stored' },
    { username: 'bench.0002', password: 'pw-two-not-stored' },
  ];
  const plan = planDemoDirectory(NOW, plain);

  it('adds one person per plain user, under the people of the demo, after the demo users', () => {
    const dns = plan.entries.map((entry) => entry.dn);
    expect(dns).toContain(demoUserDn('bench.0001'));
    expect(dns).toContain(demoUserDn('bench.0002'));
    expect(demoUserDn('bench.0001')).toBe(`uid=bench.0001,ou=people,${DEMO_BASE_DN}`);
    expect(plan.users.map((user) => user.username)).not.toContain('bench.0001');
    expect(planDemoDirectory(NOW).entries.length + 2).toBe(plan.entries.length);
  });

  it('gives them the relaxed policy (never locked, never expired) and no reset or lock', () => {
    const entry = plan.entries.find((e) => e.dn === demoUserDn('bench.0002'));
    const attributes = Object.fromEntries(entry?.attributes.map(([k, v]) => [k, v]) ?? []);
    expect(attributes['pwdPolicySubentry']).toBe(`cn=relaxed,ou=policies,${DEMO_BASE_DN}`);
    expect(attributes['uid']).toBe('bench.0002');
    expect(attributes).not.toHaveProperty('pwdReset');
    expect(attributes).not.toHaveProperty('pwdAccountLockedTime');
  });

  it('writes their passwords as salted hashes only', () => {
    const ldif = renderLdif(plan.entries);
    for (const user of plain) expect(ldif).not.toContain(user.password);
    const entry = plan.entries.find((e) => e.dn === demoUserDn('bench.0001'));
    const password = entry?.attributes.find(([k]) => k === 'userPassword')?.[1];
    expect(password).toMatch(/^\{SSHA\}/);
  });
});
