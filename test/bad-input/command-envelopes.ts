import fc from 'fast-check';
import { AGENT_RESULTS } from '../../src/domain/outcomes/vocabulary.js';
import { ANSWER_REJECTION_REASONS } from '../../src/domain/signin/events.js';
import { hostileText } from './hostile-strings.js';
import { garbageBody, withOneMistake, type Shape } from './wire-mutations.js';

/**
 * Generated bad commands for `passage.<tenant>.commands` (request/reply), each with the
 * codes its `CommandReply` may carry. Commands are the hosts' internal channel, so a
 * well-formed command is obeyed: the bad input here is what a broken or foreign client
 * sends (garbage, wrong schemas, other tenants, oversized messages) and well-formed
 * commands for attempts that do not exist, which must be refused without starting one.
 */

export interface CommandInput {
  readonly kind: string;
  readonly body: Uint8Array | string;
  /** The codes the reply may carry (all of them refusals). */
  readonly codes: readonly string[];
}

const AT = '2026-03-01T08:00:00.000Z';
const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);

const common: Shape = {
  commandId: { kind: 'id' },
  at: { kind: 'instant' },
  attemptId: { kind: 'id' },
};

/** Each command type: a valid example for an attempt `attemptId`, and its shape. */
const COMMANDS: readonly {
  readonly type: string;
  readonly shape: Shape;
  readonly valid: (attemptId: string, tenant: string) => Record<string, unknown>;
}[] = [
  {
    type: 'start',
    shape: { ...common, tenant: { kind: 'tenant' }, client: { kind: 'structure' } },
    valid: (attemptId, tenant) => ({
      tenant,
      client: { applicationId: null, address: '203.0.113.7' },
      attemptId,
    }),
  },
  {
    type: 'submitUsername',
    shape: { ...common, username: { kind: 'text', max: 256 } },
    valid: () => ({ username: 'ada' }),
  },
  {
    type: 'submitPassword',
    shape: {
      ...common,
      requestId: { kind: 'id' },
      activeAgentIds: { kind: 'ids', max: 64 },
      accountLocked: { kind: 'boolean' },
    },
    valid: () => ({ requestId: 'r1', activeAgentIds: ['agent-1'], accountLocked: false }),
  },
  {
    type: 'recordAnswer',
    shape: {
      ...common,
      requestId: { kind: 'id' },
      agentId: { kind: 'id' },
      result: { kind: 'oneOf', values: AGENT_RESULTS },
      domainController: { kind: 'text', max: 256, nullable: true },
    },
    valid: () => ({
      requestId: 'r1',
      agentId: 'agent-1',
      result: 'success',
      domainController: null,
    }),
  },
  {
    type: 'rejectAnswer',
    shape: {
      ...common,
      requestId: { kind: 'id' },
      agentId: { kind: 'id' },
      reason: { kind: 'oneOf', values: ANSWER_REJECTION_REASONS },
    },
    valid: () => ({ requestId: 'r1', agentId: 'agent-1', reason: 'badSignature' }),
  },
  {
    type: 'evaluateAnswer',
    shape: { ...common, accountLocked: { kind: 'boolean' }, mfaRequired: { kind: 'boolean' } },
    valid: () => ({ accountLocked: false, mfaRequired: false }),
  },
  {
    type: 'submitMfaResult',
    shape: { ...common, valid: { kind: 'boolean' } },
    valid: () => ({ valid: true }),
  },
  {
    type: 'timeOut',
    shape: { ...common, deadline: { kind: 'instant' } },
    valid: () => ({ deadline: AT }),
  },
  {
    type: 'cancel',
    shape: { ...common, by: { kind: 'oneOf', values: ['user', 'application', 'operator'] } },
    valid: () => ({ by: 'user' }),
  },
];
const TYPES = COMMANDS.map((c) => c.type);

/** A valid command of any type for a random attempt, with its shape. */
const validCommand = (
  tenant: string,
  types: readonly string[] = TYPES,
): fc.Arbitrary<{ shape: Shape; command: Record<string, unknown> }> =>
  fc
    .tuple(fc.constantFrom(...COMMANDS.filter((c) => types.includes(c.type))), id, id)
    .map(([command, attemptId, commandId]) => ({
      shape: { ...command.shape, type: { kind: 'oneOf', values: [command.type] } },
      command: {
        type: command.type,
        commandId,
        at: AT,
        attemptId,
        ...command.valid(attemptId, tenant),
      },
    }));

const envelope = (tenant: string, command: unknown) => JSON.stringify({ v: 1, tenant, command });

/** A tenant slug other than `tenant`. */
const otherTenant = (tenant: string) =>
  fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,62}$/).filter((t) => t !== tenant);

export const badCommand = (tenant: string): fc.Arbitrary<CommandInput> =>
  fc.oneof(
    {
      arbitrary: garbageBody.map(({ kind, body }) => ({ kind, body, codes: ['INVALID_MESSAGE'] })),
      weight: 3,
    },
    {
      // The envelope broken: its version, its tenant, its command field, an extra field.
      arbitrary: validCommand(tenant).chain(({ command }) =>
        withOneMistake(
          fc.constant({ v: 1, tenant, command }),
          {
            v: { kind: 'oneOf', values: [1] },
            tenant: { kind: 'tenant' },
            command: { kind: 'structure' },
          },
          ['v', 'tenant', 'command'],
        ).map(({ kind, value }) => ({
          kind: `envelope: ${kind}`,
          body: JSON.stringify(value),
          codes: ['INVALID_MESSAGE'],
        })),
      ),
      weight: 3,
    },
    {
      // The command broken: one field of it wrong, missing or extra.
      arbitrary: validCommand(tenant).chain(({ shape, command }) =>
        withOneMistake(fc.constant(command), shape, Object.keys(shape)).map(({ kind, value }) => ({
          kind: `command: ${kind.replace(/^bad (?!type).*/, 'bad field')}`,
          body: envelope(tenant, value),
          codes: ['INVALID_MESSAGE'],
        })),
      ),
      weight: 6,
    },
    {
      arbitrary: fc
        .tuple(fc.integer({ min: 16 * 1024 + 1, max: 256 * 1024 }), hostileText())
        .map(([size, text]) => ({
          kind: 'oversized',
          body: envelope(tenant, { type: 'submitUsername', username: text.padEnd(size, 'x') }),
          codes: ['INVALID_MESSAGE'],
        })),
      weight: 1,
    },
    {
      arbitrary: fc
        .tuple(otherTenant(tenant), validCommand(tenant))
        .map(([other, { command }]) => ({
          kind: 'another tenant',
          body: envelope(other, command),
          codes: ['TENANT_MISMATCH'],
        })),
      weight: 1,
    },
  );

/**
 * Well-formed commands that reach the host: for attempts that were never started, and a
 * start whose attempt names another tenant than its envelope. None may start an attempt.
 */
export const wellFormedForNobody = (tenant: string): fc.Arbitrary<CommandInput> =>
  fc.oneof(
    validCommand(
      tenant,
      TYPES.filter((t) => t !== 'start'),
    ).map(({ command }) => ({
      kind: 'no such attempt',
      body: envelope(tenant, command),
      codes: ['ATTEMPT_NOT_STARTED'],
    })),
    fc.tuple(otherTenant(tenant), validCommand(tenant, ['start'])).map(([other, { command }]) => ({
      kind: 'start for another tenant',
      body: envelope(tenant, { ...command, tenant: other }),
      codes: ['TENANT_MISMATCH'],
    })),
  );
