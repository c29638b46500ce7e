import type { Logger } from '../../actors/ports/logger.js';
import { redactSecrets } from './redact.js';

/**
 * Writes one JSON object per line: time, level, event, fields, with secret fields redacted. Lines are written whole, so
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
      // Redacted here, at the one place every line passes, whatever the caller handed in.
      const entry = redactSecrets({ time: now().toISOString(), level, event, ...base, ...fields });
      write(`${JSON.stringify(entry)}\n`);
    };
  return { info: log('info'), warn: log('warn'), error: log('error') };
};
