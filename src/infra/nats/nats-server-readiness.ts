import type { ChildProcess } from 'node:child_process';
import { TIMED_OUT, settleWithin } from './bounded-wait.js';
import { failedError, notFoundError, notReadyError } from './nats-server-errors.js';
import { isReadyLine, lineSplitter, listeningPortOf, type LogTail } from './nats-server-log.js';

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * Resolves once the process is gone and its output is closed (`close`, not `exit`, so the
 * last log lines have been read), or at once if it could not be spawned at all.
 */
export const exitOf = (child: ChildProcess): Promise<ProcessExit> =>
  new Promise((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal }));
    child.once('error', () => {
      if (child.pid === undefined) resolve({ code: null, signal: null });
    });
  });

/** Why a spawn failed, if it did: `error` fires instead of `spawn` for a missing binary. */
export const spawnFailureOf = (child: ChildProcess): Promise<NodeJS.ErrnoException> =>
  new Promise((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) resolve(error);
    });
  });

/**
 * Reads both output streams line by line: every line goes to `log` and to the tail, and the
 * announced client port and the ready line settle the returned promise.
 */
export const readinessFromLog = (
  child: ChildProcess,
  tail: LogTail,
  log: (line: string) => void,
): Promise<number> =>
  new Promise((resolve) => {
    let port: number | undefined;
    const onLine = (line: string): void => {
      tail.add(line);
      log(line);
      port = listeningPortOf(line) ?? port;
      if (port !== undefined && isReadyLine(line)) resolve(port);
    };
    for (const stream of [child.stdout, child.stderr]) {
      if (stream === null) continue;
      const splitter = lineSplitter(onLine);
      stream.on('data', (chunk: Buffer) => splitter.push(chunk));
      stream.on('end', () => splitter.flush());
    }
  });

/**
 * The port the server listens on, once it says it is ready. Whatever happens first decides:
 * ready, a spawn failure (missing binary), an early exit, or the time-out (the process is
 * then killed, so nothing is left running).
 */
export const awaitReady = async (input: {
  readonly child: ChildProcess;
  readonly binary: string;
  readonly ready: Promise<number>;
  readonly exited: Promise<ProcessExit>;
  readonly spawnFailure: Promise<NodeJS.ErrnoException>;
  readonly tail: LogTail;
  readonly timeoutMs: number;
}): Promise<number> => {
  const outcome = await settleWithin(
    Promise.race([
      input.ready.then((port) => ({ kind: 'ready' as const, port })),
      input.spawnFailure.then((error) => ({ kind: 'spawn-failed' as const, error })),
      input.exited.then((exit) => ({ kind: 'exited' as const, exit })),
    ]),
    input.timeoutMs,
  );
  if (outcome === TIMED_OUT) {
    input.child.kill('SIGKILL');
    await settleWithin(input.exited, 5_000);
    throw notReadyError(input.timeoutMs, input.tail.get());
  }
  // A failed spawn also ends the process: whichever of the two was seen first, the spawn
  // error is the better explanation.
  const settled =
    outcome.kind === 'exited' && input.child.pid === undefined
      ? { kind: 'spawn-failed' as const, error: await input.spawnFailure }
      : outcome;
  switch (settled.kind) {
    case 'ready':
      return settled.port;
    case 'spawn-failed':
      throw settled.error.code === 'ENOENT'
        ? notFoundError(input.binary, settled.error)
        : failedError(`could not be started (${settled.error.message})`, [], settled.error);
    case 'exited': {
      const how =
        settled.exit.signal === null
          ? `exit code ${settled.exit.code}`
          : `signal ${settled.exit.signal}`;
      throw failedError(`exited (${how})`, input.tail.get());
    }
  }
};
