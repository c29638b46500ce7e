import { randomUUID } from 'node:crypto';

/**
 * Names no other test (and no earlier run against the same server) has used, so the tests of
 * a contract suite can share one store or queue. Lower-case, so a tenant is also a valid
 * TenantSchema slug, and short enough for subjects and consumer names.
 */

let counter = 0;

const token = (): string => {
  counter += 1;
  return `${randomUUID().replaceAll('-', '').slice(0, 16)}${counter.toString(36)}`;
};

export const freshTenant = (): string => `t${token()}`;

export const freshId = (prefix: string): string => `${prefix}-${token()}`;
