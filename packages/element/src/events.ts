import type { LivenessErrorDetail } from './errors.js';
import type { LivenessResult, LivenessState } from './types.js';

// Every event bubbles and crosses shadow roots, so a listener on a form or a framework wrapper
// hears it; none is cancelable because none has a default action to prevent.
const init = { bubbles: true, composed: true } as const;

export interface LivenessStateDetail {
  state: LivenessState;
  previous: LivenessState;
}
export interface LivenessCapturedDetail {
  /** The Oz action the plugin reports for this capture, e.g. `video_selfie_blank`. */
  action: string;
  /** The container exactly as the plugin produced it; uploaded untouched. */
  capsule: Blob;
}
export interface LivenessProgressDetail {
  /** Bytes of the multipart request body sent so far, and in all. */
  loaded: number;
  total: number;
}
export interface LivenessResultDetail {
  result: LivenessResult;
}
export type LivenessCancelDetail = Record<string, never>;

/** `oz-liveness-state`: the state changed. */
export class LivenessStateEvent extends CustomEvent<LivenessStateDetail> {
  static readonly eventName = 'oz-liveness-state';
  constructor(detail: LivenessStateDetail) {
    super(LivenessStateEvent.eventName, { ...init, detail });
  }
}

/** `oz-liveness-captured`: the plugin handed over a capsule; the upload starts next. */
export class LivenessCapturedEvent extends CustomEvent<LivenessCapturedDetail> {
  static readonly eventName = 'oz-liveness-captured';
  constructor(detail: LivenessCapturedDetail) {
    super(LivenessCapturedEvent.eventName, { ...init, detail });
  }
}

/** `oz-liveness-progress`: upload progress (restarts from 0 on a retried upload). */
export class LivenessProgressEvent extends CustomEvent<LivenessProgressDetail> {
  static readonly eventName = 'oz-liveness-progress';
  constructor(detail: LivenessProgressDetail) {
    super(LivenessProgressEvent.eventName, { ...init, detail });
  }
}

/** `oz-liveness-result`: the gateway answered with a verdict (any decision). */
export class LivenessResultEvent extends CustomEvent<LivenessResultDetail> {
  static readonly eventName = 'oz-liveness-result';
  constructor(detail: LivenessResultDetail) {
    super(LivenessResultEvent.eventName, { ...init, detail });
  }
}

/** `oz-liveness-error`: the check stopped with an error; `retry` says what may help. */
export class LivenessErrorEvent extends CustomEvent<LivenessErrorDetail> {
  static readonly eventName = 'oz-liveness-error';
  constructor(detail: LivenessErrorDetail) {
    super(LivenessErrorEvent.eventName, { ...init, detail });
  }
}

/** `oz-liveness-cancel`: the person closed the plugin, or `cancel()` was called. */
export class LivenessCancelEvent extends CustomEvent<LivenessCancelDetail> {
  static readonly eventName = 'oz-liveness-cancel';
  constructor() {
    super(LivenessCancelEvent.eventName, { ...init, detail: {} });
  }
}

declare global {
  interface HTMLElementEventMap {
    'oz-liveness-state': LivenessStateEvent;
    'oz-liveness-captured': LivenessCapturedEvent;
    'oz-liveness-progress': LivenessProgressEvent;
    'oz-liveness-result': LivenessResultEvent;
    'oz-liveness-error': LivenessErrorEvent;
    'oz-liveness-cancel': LivenessCancelEvent;
  }
}
