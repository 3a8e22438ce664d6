/** Spread of one measure over N repetitions: the median and what surrounds it. */
export interface Summary {
  n: number;
  median: number;
  min: number;
  max: number;
  /** Interquartile range bounds (linear interpolation), equal to min/max for n < 4. */
  q1: number;
  q3: number;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('summarize: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    q1: sorted.length < 4 ? (sorted[0] as number) : quantile(sorted, 0.25),
    q3: sorted.length < 4 ? (sorted[sorted.length - 1] as number) : quantile(sorted, 0.75),
  };
}

function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const a = sorted[lower] as number;
  const b = sorted[upper] as number;
  return a + (b - a) * (position - lower);
}

/** `{ [key]: summary }` when every sample exists, else `{}` (e.g. CPU of a process that is absent). */
export function summarizeOptional<K extends string>(
  key: K,
  samples: ReadonlyArray<number | undefined>,
): Partial<Record<K, Summary>> {
  if (samples.length === 0 || samples.some((s) => s === undefined)) return {};
  return { [key]: summarize(samples as number[]) } as Partial<Record<K, Summary>>;
}

/**
 * The list started at a different item each repetition, so no target always runs first (cold
 * caches) or always right after the same neighbour.
 */
export function rotate<T>(items: readonly T[], by: number): T[] {
  if (items.length === 0) return [];
  const start = by % items.length;
  return [...items.slice(start), ...items.slice(0, start)];
}
