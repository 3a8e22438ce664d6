// Svelte typings for the tag (svelte-check). Svelte 5 listens with `onoz-liveness-result={…}`,
// Svelte 4 with `on:oz-liveness-result={…}`; both are typed. Opt in with:
//   import type {} from '@oz-liveness/element/types/svelte';
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

export interface OzLivenessCheckSvelteProps {
  endpoint?: string;
  'plugin-src'?: string;
  action?: string;
  lang?: string;
  binding?: string;
  name?: string;
  required?: boolean;
  disabled?: boolean;
  nonce?: string;
  strings?: Partial<LivenessStrings>;
  captureEngine?: CaptureEngine;
  class?: string;
  id?: string;
  style?: string;
  hidden?: boolean;
  slot?: string;
  'bind:this'?: OzLivenessCheck;
  'onoz-liveness-state'?: (event: LivenessStateEvent) => void;
  'onoz-liveness-captured'?: (event: LivenessCapturedEvent) => void;
  'onoz-liveness-progress'?: (event: LivenessProgressEvent) => void;
  'onoz-liveness-result'?: (event: LivenessResultEvent) => void;
  'onoz-liveness-error'?: (event: LivenessErrorEvent) => void;
  'onoz-liveness-cancel'?: (event: LivenessCancelEvent) => void;
  'on:oz-liveness-state'?: (event: LivenessStateEvent) => void;
  'on:oz-liveness-captured'?: (event: LivenessCapturedEvent) => void;
  'on:oz-liveness-progress'?: (event: LivenessProgressEvent) => void;
  'on:oz-liveness-result'?: (event: LivenessResultEvent) => void;
  'on:oz-liveness-error'?: (event: LivenessErrorEvent) => void;
  'on:oz-liveness-cancel'?: (event: LivenessCancelEvent) => void;
}

declare global {
  namespace svelteHTML {
    interface IntrinsicElements {
      'oz-liveness-check': OzLivenessCheckSvelteProps;
    }
  }
}
