import { createComponent, type EventName } from '@lit/react';
import * as React from 'react';
import './define.js';
import type {
  LivenessCancelEvent,
  LivenessCapturedEvent,
  LivenessErrorEvent,
  LivenessProgressEvent,
  LivenessResultEvent,
  LivenessStateEvent,
} from './events.js';
import { OzLivenessCheck as OzLivenessCheckElement } from './liveness-check.js';

/**
 * `<oz-liveness-check>` as a React component (registers the tag on import). Properties such as
 * `strings` and `captureEngine` are set as properties, and each event has a typed prop:
 * `onOzLivenessResult={(e) => e.detail.result}`.
 */
export const OzLivenessCheck = createComponent({
  tagName: 'oz-liveness-check',
  elementClass: OzLivenessCheckElement,
  react: React,
  displayName: 'OzLivenessCheck',
  events: {
    onOzLivenessState: 'oz-liveness-state' as EventName<LivenessStateEvent>,
    onOzLivenessCaptured: 'oz-liveness-captured' as EventName<LivenessCapturedEvent>,
    onOzLivenessProgress: 'oz-liveness-progress' as EventName<LivenessProgressEvent>,
    onOzLivenessResult: 'oz-liveness-result' as EventName<LivenessResultEvent>,
    onOzLivenessError: 'oz-liveness-error' as EventName<LivenessErrorEvent>,
    onOzLivenessCancel: 'oz-liveness-cancel' as EventName<LivenessCancelEvent>,
  },
});
