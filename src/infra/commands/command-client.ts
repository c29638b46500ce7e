import {
  createInbox,
  RequestError,
  TimeoutError,
  type NatsConnection,
} from '@nats-io/transport-node';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { SignInCommand } from '../../domain/signin/commands.js';
import { decodeCommandReply, type CommandReply } from '../../domain/wire/service-messages.js';
import { commandRepliesPrefix, commandSubject } from './command-subjects.js';

/**
 * How to send a command with `nc.request`: the answer comes to a fresh subject of the
 * tenant's replies, the only place hosts answer (command-subjects.ts).
 */
export const commandRequestOptions = (
  tenant: string,
  timeoutMs: number,
): { timeout: number; noMux: true; reply: string } => ({
  timeout: timeoutMs,
  noMux: true,
  reply: createInbox(commandRepliesPrefix(tenant)),
});

/**
 * Sends a command to whichever host of the tenant is alive and returns its reply. Transport
 * problems come back as replies with stable codes too (NO_HOST, HOST_TIMEOUT, INVALID_REPLY,
 * NATS_UNAVAILABLE), so callers handle one shape. A command may be sent again safely: hosts recognise it.
 * The answer comes to a subject of the tenant's replies (command-subjects.ts), the only place a
 * host answers: a user that sends commands under role permissions may publish on
 * `passage.<tenant>.commands` and subscribe to `passage.<tenant>.replies.>`.
 */
export const sendCommand = async (
  nc: NatsConnection,
  tenant: string,
  command: SignInCommand,
  options: { readonly timeoutMs?: number } = {},
): Promise<CommandReply> => {
  const failure = (code: string, message: string): CommandReply => ({
    v: 1,
    ok: false,
    error: { code, message },
  });
  try {
    const msg = await nc.request(
      commandSubject(tenant),
      JSON.stringify({ v: 1, tenant, command }),
      commandRequestOptions(tenant, options.timeoutMs ?? 5000),
    );
    const decoded = decodeCommandReply(msg.string());
    return isLeft(decoded) ? failure('INVALID_REPLY', decoded.left.message) : decoded.right;
  } catch (error) {
    if (error instanceof RequestError && error.isNoResponders()) {
      return failure('NO_HOST', `no sign-in host is serving tenant ${tenant}`);
    }
    if (
      error instanceof TimeoutError ||
      (error instanceof RequestError && error.cause instanceof TimeoutError)
    ) {
      return failure('HOST_TIMEOUT', `no answer from a sign-in host of tenant ${tenant} in time`);
    }
    const reason = error instanceof Error ? error.message : String(error);
    return failure('NATS_UNAVAILABLE', `the command could not be sent: ${reason}`);
  }
};
