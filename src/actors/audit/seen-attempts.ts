import { createHash } from 'node:crypto';

/**
 * The attempts an audit has already met, so that a second "first record" of one of them is
 * noticed. Over a whole event log an exact set would grow with the log; the Bloom filter
 * keeps a fixed size, and its rare false "maybe" only costs reading that attempt's history
 * again to be sure, never a false verdict.
 */
export interface SeenAttempts {
  readonly add: (attemptId: string) => void;
  /** False: certainly not seen. True: seen, or (Bloom filter only) perhaps. */
  readonly mightHave: (attemptId: string) => boolean;
  /** True when `mightHave` is never wrong (an exact set). */
  readonly exact: boolean;
}

export const createExactSeenAttempts = (): SeenAttempts => {
  const seen = new Set<string>();
  return { add: (id) => void seen.add(id), mightHave: (id) => seen.has(id), exact: true };
};

/** 2^24 bits (2 MiB): about 1% false positives at 1.7 million attempts per filter. */
export const DEFAULT_BLOOM_BITS = 2 ** 24;
const HASHES = 7;

export const createBloomSeenAttempts = (bits: number = DEFAULT_BLOOM_BITS): SeenAttempts => {
  if (!Number.isSafeInteger(bits) || bits < 64)
    throw new RangeError('a Bloom filter needs 64 bits or more');
  const words = new Uint32Array(Math.ceil(bits / 32));
  const size = words.length * 32;
  // Double hashing (Kirsch and Mitzenmacher) from one SHA-256: attempt ids are chosen by
  // whoever starts an attempt, so the filter's hash must not be one they can aim at cheaply.
  const positions = (id: string): number[] => {
    const digest = createHash('sha256').update(id, 'utf8').digest();
    const h1 = digest.readUInt32LE(0);
    const h2 = digest.readUInt32LE(4) | 1;
    return Array.from({ length: HASHES }, (_, i) => (h1 + Math.imul(i, h2)) >>> 0).map(
      (h) => h % size,
    );
  };
  const has = (bit: number) => ((words[bit >>> 5] ?? 0) & (1 << (bit & 31))) !== 0;
  return {
    add: (id) => {
      for (const bit of positions(id))
        words[bit >>> 5] = (words[bit >>> 5] ?? 0) | (1 << (bit & 31));
    },
    mightHave: (id) => positions(id).every(has),
    exact: false,
  };
};
