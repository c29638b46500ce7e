import { z } from 'zod';
import { InstantSchema } from '../../domain/shared/wire-primitives.js';
import { AgentHeartbeatSchema } from '../../domain/wire/agent-messages.js';
import { decodeJsonWith } from '../../domain/wire/decode.js';

/**
 * A heartbeat as the registry keeps it: the agent's message and when the registry received
 * it. Liveness is judged on `receivedAt`, the registry's clock, because an agent's clock may
 * be minutes off and the agent's own `at` is only what it says.
 */
export const HeartbeatRecordSchema = z.strictObject({
  v: z.literal(1),
  heartbeat: AgentHeartbeatSchema,
  receivedAt: InstantSchema,
});
export type HeartbeatRecord = z.infer<typeof HeartbeatRecordSchema>;

export const decodeHeartbeatRecord = decodeJsonWith('HeartbeatRecord', HeartbeatRecordSchema);
