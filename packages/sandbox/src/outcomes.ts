import { OUTCOMES, type Outcome } from './container/format.js';

/** The two folder fields the decision rule reads. */
export interface Resolution {
  resolution_status: string;
  system_resolution: string;
}

/** What a test can queue: a named outcome, or any pair of statuses verbatim (e.g. PROCESSING). */
export type QueuedOutcome = Outcome | Resolution;

const BY_OUTCOME: Record<Outcome, Resolution> = {
  genuine: { resolution_status: 'FINISHED', system_resolution: 'SUCCESS' },
  spoof: { resolution_status: 'FINISHED', system_resolution: 'DECLINED' },
  review: { resolution_status: 'FINISHED', system_resolution: 'OPERATOR_REQUIRED' },
  system_error: { resolution_status: 'FAILED', system_resolution: 'FAILED' },
};

export function isOutcome(value: unknown): value is Outcome {
  return typeof value === 'string' && (OUTCOMES as readonly string[]).includes(value);
}

export function resolutionOf(queued: QueuedOutcome): Resolution {
  if (typeof queued === 'string') return BY_OUTCOME[queued];
  return {
    resolution_status: queued.resolution_status,
    system_resolution: queued.system_resolution,
  };
}

/** Validates the control API's `outcomes` field; throws with a message naming the bad entry. */
export function parseQueuedOutcomes(value: unknown): QueuedOutcome[] {
  if (!Array.isArray(value)) throw new Error('outcomes must be an array');
  return value.map((entry, index) => {
    if (isOutcome(entry)) return entry;
    if (
      entry &&
      typeof entry === 'object' &&
      typeof entry.resolution_status === 'string' &&
      entry.resolution_status !== '' &&
      typeof entry.system_resolution === 'string' &&
      entry.system_resolution !== ''
    ) {
      return {
        resolution_status: entry.resolution_status,
        system_resolution: entry.system_resolution,
      };
    }
    throw new Error(
      `outcomes[${index}] must be one of ${OUTCOMES.join(', ')} or {resolution_status, system_resolution}`,
    );
  });
}

/** Outcomes queued by tests; each accepted container takes the next one. */
export class OutcomeQueue {
  readonly #queue: QueuedOutcome[] = [];

  push(outcomes: readonly QueuedOutcome[]): void {
    this.#queue.push(...outcomes);
  }

  next(): QueuedOutcome | undefined {
    return this.#queue.shift();
  }

  get size(): number {
    return this.#queue.length;
  }

  clear(): void {
    this.#queue.length = 0;
  }
}
