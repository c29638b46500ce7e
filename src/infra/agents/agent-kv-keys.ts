import { IdSchema, TenantSchema } from '../../domain/shared/wire-primitives.js';

/**
 * Keys in the agents bucket. Tenants and agent ids are subject-safe tokens (no `.`, `*`,
 * `>`), which is checked before a key is built: an agent id `*` would otherwise turn a read
 * of one agent into a wildcard.
 */

export const isTenant = (tenant: string): boolean => TenantSchema.safeParse(tenant).success;
export const isAgentId = (agentId: string): boolean => IdSchema.safeParse(agentId).success;

/** `<tenant>.<agentId>`: the registration. */
export const registrationKey = (tenant: string, agentId: string): string => `${tenant}.${agentId}`;

/**
 * `<tenant>.<agentId>.heartbeat`: the last heartbeat, apart from the registration so that a
 * heartbeat every few seconds never rewrites (or races with) a rotation or a revocation.
 */
export const heartbeatKey = (tenant: string, agentId: string): string =>
  `${tenant}.${agentId}.heartbeat`;

/**
 * `<tenant>.<agentId>.revoked`: present once the agent is revoked, whatever its registration
 * says. An agent's NATS user may write its own registration (`agent register`, `agent
 * rotate`) but not this key, so an agent cannot undo its revocation by rewriting its status.
 */
export const revokedKey = (tenant: string, agentId: string): string =>
  `${tenant}.${agentId}.revoked`;

/** Every registration of a tenant and nothing else: heartbeat keys have three tokens. */
export const tenantRegistrationsFilter = (tenant: string): string => `${tenant}.*`;
