import type { Outcome } from '../../domain/outcomes/vocabulary.js';
import type { AttemptVerdict, AuditDivergence } from './log-auditor.js';

/** What an audit found, summed over its attempts; it merges (one per worker). */
export interface AuditTotals {
  readonly attempts: number;
  readonly ended: number;
  readonly underWay: number;
  readonly records: number;
  readonly outcomes: Readonly<Partial<Record<Outcome, number>>>;
  /** Attempts (or, for records after an attempt's end, reports) that did not verify. */
  readonly divergent: number;
  /** The first divergences, in the order found; `divergent` counts them all. */
  readonly divergences: readonly AuditDivergence[];
}

/** Divergences listed in full; past this they are counted. Each names its attempt. */
export const DEFAULT_LISTED_DIVERGENCES = 1000;

export const emptyTotals = (): AuditTotals => ({
  attempts: 0,
  ended: 0,
  underWay: 0,
  records: 0,
  outcomes: {},
  divergent: 0,
  divergences: [],
});

export interface TotalsCounter {
  readonly add: (verdict: AttemptVerdict) => void;
  readonly merge: (other: AuditTotals) => void;
  readonly totals: () => AuditTotals;
}

export const createTotalsCounter = (listed: number = DEFAULT_LISTED_DIVERGENCES): TotalsCounter => {
  let attempts = 0;
  let ended = 0;
  let underWay = 0;
  let records = 0;
  let divergent = 0;
  const outcomes: Partial<Record<Outcome, number>> = {};
  const divergences: AuditDivergence[] = [];

  const countOutcome = (outcome: Outcome, n: number) => {
    outcomes[outcome] = (outcomes[outcome] ?? 0) + n;
  };
  const list = (divergence: AuditDivergence) => {
    if (divergences.length < listed) divergences.push(divergence);
  };

  return {
    add: (verdict) => {
      attempts += 1;
      records += verdict.records;
      if (verdict.divergence !== undefined) {
        divergent += 1;
        list(verdict.divergence);
        return;
      }
      if (verdict.ended) ended += 1;
      else underWay += 1;
      if (verdict.summary.outcome !== null) countOutcome(verdict.summary.outcome, 1);
    },
    merge: (other) => {
      attempts += other.attempts;
      ended += other.ended;
      underWay += other.underWay;
      records += other.records;
      divergent += other.divergent;
      for (const [outcome, n] of Object.entries(other.outcomes))
        countOutcome(outcome as Outcome, n);
      other.divergences.forEach(list);
    },
    totals: () => ({
      attempts,
      ended,
      underWay,
      records,
      outcomes: { ...outcomes },
      divergent,
      divergences: [...divergences],
    }),
  };
};
