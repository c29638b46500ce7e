import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js';
import type { NatsConnection } from '@nats-io/transport-node';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { silentLogger, type Logger } from '../../actors/ports/logger.js';
import {
  IdSchema,
  InstantSchema,
  TenantSchema,
  type Instant,
} from '../../domain/shared/wire-primitives.js';
import { INVALID_MESSAGE, decodeJsonWith } from '../../domain/wire/decode.js';
import { isWrongLastSequence } from '../jetstream/jetstream-errors.js';
import { lazyBucket, liveValue } from './kv-bucket.js';

/**
 * One-time registration tokens: an operator issues one for a tenant (and, if they like, for
 * one agent id), and `passage agent register` spends it. Only the token's SHA-256 is stored,
 * so reading the bucket does not give anyone a token; the hash is the key, so a redeem is one
 * lookup and never compares secrets.
 */

export const DEFAULT_TOKENS_BUCKET = 'passage-tokens';
/** Makes a token recognisable in a paste, a log scrubber or a secret scanner. */
export const TOKEN_PREFIX = 'pst_';
const TOKEN_BYTES = 32;
/** `pst_` and 32 bytes in base64url without padding (43 characters). */
const TOKEN_FORMAT = /^pst_[A-Za-z0-9_-]{43}$/;
/** A week: long enough to hand a token to whoever installs the agent, short enough to forget. */
export const MAX_TOKEN_TTL_SECONDS = 7 * 24 * 60 * 60;
const MAX_REDEEM_TRIES = 5;

export type TokenErrorCode =
  | 'TOKEN_UNKNOWN'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_USED'
  | 'TOKEN_TENANT_MISMATCH'
  /** The token was issued for another agent id. */
  | 'TOKEN_AGENT_MISMATCH'
  | 'TOKEN_CONFLICT'
  | typeof INVALID_MESSAGE;

/** Messages never contain the token. */
export interface TokenError {
  readonly code: TokenErrorCode;
  readonly message: string;
}

const refuse = (code: TokenErrorCode, message: string): Either<TokenError, never> =>
  left({ code, message });

const TokenRecordSchema = z.strictObject({
  v: z.literal(1),
  tenant: TenantSchema,
  /** The one agent id the token may register, or null for any. */
  agentId: IdSchema.nullable(),
  issuedAt: InstantSchema,
  expiresAt: InstantSchema,
  /** When it was spent; a spent token is kept so that a second use says so. */
  usedAt: InstantSchema.nullable(),
});
type TokenRecord = z.infer<typeof TokenRecordSchema>;
const decodeTokenRecord = decodeJsonWith('TokenRecord', TokenRecordSchema);

export interface IssueOptions {
  readonly ttlSeconds: number;
  readonly agentId?: string;
}

export interface IssuedToken {
  /** Shown once to the operator; not kept anywhere. */
  readonly token: string;
  readonly expiresAt: Instant;
}

export interface RedeemOptions {
  /** The agent id being registered; must be the token's when it was issued for one. */
  readonly agentId?: string;
}

export interface RedeemedToken {
  readonly tenant: string;
  readonly agentId: string | null;
  readonly expiresAt: Instant;
}

export interface TokenIssuer {
  readonly issue: (
    tenant: string,
    options: IssueOptions,
  ) => Promise<Either<TokenError, IssuedToken>>;
  /**
   * Spends a token, once: of any number of concurrent redeems of one token, exactly one
   * succeeds. A refusal for the wrong tenant or agent does not spend it.
   */
  readonly redeem: (
    token: string,
    tenant: string,
    options?: RedeemOptions,
  ) => Promise<Either<TokenError, RedeemedToken>>;
}

/** How the tokens bucket is made: by the service at start (`ensureServiceBuckets`) or on first use. */
export const TOKENS_BUCKET_OPTIONS = {
  history: 1,
  description: 'passage: agent registration tokens (SHA-256 of each token, never the token)',
};

export interface TokenIssuerOptions {
  readonly nc: NatsConnection;
  readonly bucket?: string;
  readonly now?: () => Date;
  readonly logger?: Logger;
}

/** The key a token is stored under: its SHA-256, hex (subject-safe, fixed length). */
export const tokenKey = (token: string): string => createHash('sha256').update(token).digest('hex');

const IssueOptionsSchema = z.strictObject({
  ttlSeconds: z.number().int().positive().max(MAX_TOKEN_TTL_SECONDS),
  agentId: IdSchema.optional(),
});

export const createTokenIssuer = (options: TokenIssuerOptions): TokenIssuer => {
  const bucket = lazyBucket(
    options.nc,
    options.bucket ?? DEFAULT_TOKENS_BUCKET,
    TOKENS_BUCKET_OPTIONS,
  );
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? silentLogger;

  const issue: TokenIssuer['issue'] = async (tenant, issueOptions) => {
    const parsed = IssueOptionsSchema.safeParse(issueOptions);
    if (!TenantSchema.safeParse(tenant).success || !parsed.success) {
      return refuse(
        INVALID_MESSAGE,
        `a token needs a tenant, a ttl of 1-${MAX_TOKEN_TTL_SECONDS} s and a valid agent id`,
      );
    }
    const issuedAt = now();
    const token = `${TOKEN_PREFIX}${randomBytes(TOKEN_BYTES).toString('base64url')}`;
    const record: TokenRecord = {
      v: 1,
      tenant,
      agentId: parsed.data.agentId ?? null,
      issuedAt: issuedAt.toISOString(),
      expiresAt: new Date(issuedAt.getTime() + parsed.data.ttlSeconds * 1000).toISOString(),
      usedAt: null,
    };
    // `create`: a (vanishingly unlikely) collision with a stored hash fails instead of
    // reviving a spent token.
    await (await bucket()).create(tokenKey(token), JSON.stringify(record));
    return right({ token, expiresAt: record.expiresAt });
  };

  /** Why a stored token cannot be spent now, if it cannot. */
  const refusalFor = (
    record: TokenRecord,
    tenant: string,
    agentId: string | undefined,
    at: Date,
  ): Either<TokenError, never> | undefined => {
    if (record.tenant !== tenant) {
      return refuse('TOKEN_TENANT_MISMATCH', `the token was issued for another tenant`);
    }
    if (record.agentId !== null && record.agentId !== agentId) {
      return refuse('TOKEN_AGENT_MISMATCH', `the token was issued for agent ${record.agentId}`);
    }
    if (record.usedAt !== null)
      return refuse('TOKEN_USED', `the token was used at ${record.usedAt}`);
    if (at.getTime() >= Date.parse(record.expiresAt)) {
      return refuse('TOKEN_EXPIRED', `the token expired at ${record.expiresAt}`);
    }
    return undefined;
  };

  const redeem: TokenIssuer['redeem'] = async (token, tenant, redeemOptions = {}) => {
    // A string that cannot be a token is not looked up: it is unknown by construction.
    if (!TOKEN_FORMAT.test(token)) return refuse('TOKEN_UNKNOWN', 'not a registration token');
    const kv = await bucket();
    const key = tokenKey(token);
    for (let tries = 0; tries < MAX_REDEEM_TRIES; tries += 1) {
      const value = await liveValue(kv, key);
      if (value === undefined) return refuse('TOKEN_UNKNOWN', 'no such registration token');
      const decoded = decodeTokenRecord(value.text);
      if (isLeft(decoded)) {
        logger.warn('agents.tokens.unreadable', { key, message: decoded.left.message });
        return refuse('TOKEN_UNKNOWN', 'the stored token is unreadable');
      }
      const at = now();
      const refusal = refusalFor(decoded.right, tenant, redeemOptions.agentId, at);
      if (refusal !== undefined) return refusal;
      const spent: TokenRecord = { ...decoded.right, usedAt: at.toISOString() };
      try {
        // Only if nobody wrote since we read: of two concurrent redeems, one update fails,
        // reads again, and finds the token used.
        await kv.update(key, JSON.stringify(spent), value.revision);
        return right({
          tenant: spent.tenant,
          agentId: spent.agentId,
          expiresAt: spent.expiresAt,
        });
      } catch (error) {
        if (!isWrongLastSequence(error)) throw error;
      }
    }
    return refuse('TOKEN_CONFLICT', 'the token kept changing under us');
  };

  return { issue, redeem };
};
