/**
 * Notice that an attempt's history grew, so that a caller waiting for an agent's answer
 * (`GET /api/v1/signins/{id}?wait=`) reads again at once instead of polling. Any host may
 * record the answer, so the notice comes from the store's side (a NATS subscription on the
 * attempt's subject), not from this process's memory.
 */
export interface AttemptWatch {
  /**
   * Resolves true when something was appended since the watch began or since the previous
   * call resolved true; false when `timeoutMs` passes first.
   */
  readonly changed: (timeoutMs: number) => Promise<boolean>;
  readonly close: () => void;
}

export interface AttemptChanges {
  /** Starts watching before the caller reads, so nothing appended in between is missed. */
  readonly watch: (tenant: string, attemptId: string) => AttemptWatch;
}
