import type { ElementFigure } from './figures/element.js';
import type { RssFigure } from './figures/rss.js';
import type { SessionTokenFigure } from './figures/session-token.js';
import type { SlowOzFigure } from './figures/slow-oz.js';
import type { SubmitCapsuleFigure } from './figures/submit-capsule.js';
import type { TracingCostFigure } from './figures/tracing-cost.js';
import type { MachineInfo } from './machine.js';

/** Everything one run measured; report.ts renders it, the smoke test checks it. */
export interface BenchResults {
  mode: 'full' | 'smoke';
  startedAt: string;
  finishedAt: string;
  durationS: number;
  command: string;
  machine: MachineInfo;
  /** Free text about the conditions (e.g. other work on the machine), from --note. */
  note?: string;
  sessionToken?: SessionTokenFigure;
  submitCapsule?: SubmitCapsuleFigure;
  rss?: RssFigure;
  element?: ElementFigure;
  tracing?: TracingCostFigure;
  slowOz?: SlowOzFigure;
}
