// React 19 JSX typings for the bare tag (React 19 sets properties and listens to custom events
// itself: `onoz-liveness-result={…}`). Opt in with:
//   import type {} from '@oz-liveness/element/types/react';
// With @lit/react instead, use `@oz-liveness/element/react`, typed already.

import type {
  CaptureEngine,
  LivenessCancelEvent,
  LivenessCapturedEvent,
  LivenessErrorEvent,
  LivenessProgressEvent,
  LivenessResultEvent,
  LivenessStateEvent,
  LivenessStrings,
  OzLivenessCheck,
} from '@oz-liveness/element';
import type { DetailedHTMLProps, HTMLAttributes } from 'react';

export interface OzLivenessCheckJsxProps
  extends DetailedHTMLProps<HTMLAttributes<OzLivenessCheck>, OzLivenessCheck> {
  endpoint?: string;
  'plugin-src'?: string;
  action?: string;
  binding?: string;
  name?: string;
  required?: boolean;
  disabled?: boolean;
  nonce?: string;
  strings?: Partial<LivenessStrings>;
  captureEngine?: CaptureEngine;
  'onoz-liveness-state'?: (event: LivenessStateEvent) => void;
  'onoz-liveness-captured'?: (event: LivenessCapturedEvent) => void;
  'onoz-liveness-progress'?: (event: LivenessProgressEvent) => void;
  'onoz-liveness-result'?: (event: LivenessResultEvent) => void;
  'onoz-liveness-error'?: (event: LivenessErrorEvent) => void;
  'onoz-liveness-cancel'?: (event: LivenessCancelEvent) => void;
}

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'oz-liveness-check': OzLivenessCheckJsxProps;
    }
  }
}
