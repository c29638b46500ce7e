import sodium from 'libsodium-wrappers';

/**
 * libsodium, once its WebAssembly has loaded. Only the default import works at run time
 * (named imports type-check and then fail), so every crypto file goes through this one.
 */
export type Sodium = typeof sodium;

/** Resolves when libsodium is ready; awaiting it again costs one resolved promise. */
export const readySodium = async (): Promise<Sodium> => {
  await sodium.ready;
  return sodium;
};

/** Standard base64 with padding: the encoding every binary value on the wire uses. */
export const toBase64 = (s: Sodium, bytes: Uint8Array): string =>
  s.to_base64(bytes, s.base64_variants.ORIGINAL);

/**
 * Strict standard base64, or undefined. libsodium's decoder refuses what Node's `Buffer`
 * would quietly skip (stray characters, missing padding), so two different texts never
 * decode to the same key or ciphertext.
 */
export const fromBase64 = (s: Sodium, text: string): Uint8Array | undefined => {
  try {
    return s.from_base64(text, s.base64_variants.ORIGINAL);
  } catch {
    return undefined;
  }
};

/** UTF-8 that refuses invalid byte sequences instead of replacing them with U+FFFD. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export const decodeUtf8 = (bytes: Uint8Array): string | undefined => {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
};
