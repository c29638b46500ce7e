/**
 * What passage reads from nats-server's log: the port it listens on and the moment it is
 * ready. The server prints both on every start (2.9 and later), e.g.
 * `[123] 2026/11/25 03:08:33.226825 [INF] Listening for client connections on 127.0.0.1:38559`
 * followed by `[123] ... [INF] Server is ready`.
 */

const LISTENING = /Listening for client connections on (\S+):(\d+)\s*$/;

/** The client port announced by a log line, or undefined. */
export const listeningPortOf = (line: string): number | undefined => {
  const match = LISTENING.exec(line);
  return match?.[2] === undefined ? undefined : Number(match[2]);
};

export const isReadyLine = (line: string): boolean => line.includes('Server is ready');

/** Keeps the last lines a process wrote, to explain why it failed. */
export class LogTail {
  private readonly lines: string[] = [];
  constructor(private readonly size = 20) {}

  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.size) this.lines.shift();
  }

  get(): readonly string[] {
    return [...this.lines];
  }
}

/**
 * Splits a byte stream into lines and calls `onLine` for each complete one. Chunks may cut
 * lines anywhere, so the unfinished end is kept until the next chunk or `flush`.
 */
export const lineSplitter = (onLine: (line: string) => void) => {
  let rest = '';
  return {
    push(chunk: Buffer | string): void {
      const parts = (rest + chunk.toString()).split('\n');
      rest = parts.pop() ?? '';
      for (const part of parts) onLine(part.replace(/\r$/, ''));
    },
    flush(): void {
      if (rest !== '') onLine(rest);
      rest = '';
    },
  };
};
