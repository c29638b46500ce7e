import type { Logger } from '../../actors/ports/logger.js';

/**
 * Writes one JSON object per line: time, level, event, fields. Lines are written whole, so
 * the logs of several processes can be interleaved on one terminal and still be parsed.
 */
export const createJsonLinesLogger = (
  write: (line: string) => void,
  base: Record<string, unknown> = {},
  now: () => Date = () => new Date(),
): Logger => {
  const log =
    (level: string) =>
    (event: string, fields: Record<string, unknown> = {}) => {
      write(`${JSON.stringify({ time: now().toISOString(), level, event, ...base, ...fields })}\n`);
    };
  return { info: log('info'), warn: log('warn'), error: log('error') };
};
