import { randomUUID } from 'node:crypto';
import type { Logger } from '../../../src/actors/ports/logger.js';
import type { AgentRegistration } from '../../../src/domain/wire/agent-messages.js';
import {
  generateAgentKeys,
  publicKeysOf,
  type AgentKeys,
} from '../../../src/infra/crypto/agent-keys.js';

export const T0 = new Date('2026-11-25T10:00:00.000Z');

/** A tenant of its own for each test, so tests share a server and never each other's data. */
export const freshTenant = (): string => `t${randomUUID().replaceAll('-', '').slice(0, 12)}`;

/** A clock the test moves by hand. */
export const manualClock = (start: Date = T0) => {
  let at = start.getTime();
  return {
    now: (): Date => new Date(at),
    advance: (ms: number): void => {
      at += ms;
    },
  };
};

export interface LogEntry {
  readonly level: string;
  readonly event: string;
  readonly fields: Record<string, unknown>;
}

export const recordingLogger = (): Logger & { readonly entries: LogEntry[] } => {
  const entries: LogEntry[] = [];
  const at =
    (level: string) =>
    (event: string, fields: Record<string, unknown> = {}) => {
      entries.push({ level, event, fields });
    };
  return { entries, info: at('info'), warn: at('warn'), error: at('error') };
};

export const registrationFor = async (
  tenant: string,
  agentId: string,
  keys: AgentKeys,
  at: Date = T0,
): Promise<AgentRegistration> => {
  const published = await publicKeysOf(keys);
  return {
    v: 1,
    tenant,
    agentId,
    displayName: `Agent ${agentId}`,
    boxKeys: [...published.boxKeys],
    signKeys: [...published.signKeys],
    registeredAt: at.toISOString(),
    status: 'active',
  };
};

/** A freshly made agent: its keys and its registration. */
export const newAgent = async (tenant: string, agentId: string) => {
  const keys = await generateAgentKeys(T0);
  return { keys, registration: await registrationFor(tenant, agentId, keys) };
};
