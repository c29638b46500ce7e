import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { LogRecord } from '../../actors/audit/log-auditor.js';

/**
 * An exported log (`passage audit export`, or any JSON Lines file of stored records) read
 * line by line, never whole: a record's position is its line number and its time is its own
 * (`at`), the only time a file has. A line that is not a record still becomes one, filed
 * under a name of its own, so the auditor reports it as unreadable instead of losing it.
 */
export const UNREADABLE_LINE_PREFIX = 'line-';

const fieldsOf = (line: string): { attemptId?: unknown; at?: unknown } => {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
};

export async function* readRecordFile(path: string): AsyncGenerator<LogRecord> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let position = 0;
  for await (const line of lines) {
    position += 1;
    if (line.trim() === '') continue;
    const { attemptId, at } = fieldsOf(line);
    yield {
      attemptId: typeof attemptId === 'string' ? attemptId : `${UNREADABLE_LINE_PREFIX}${position}`,
      position,
      storedAt:
        typeof at === 'string' && !Number.isNaN(Date.parse(at)) ? at : new Date(0).toISOString(),
      body: line,
    };
  }
}
