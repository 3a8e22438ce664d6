// Vue 3 template typings (Volar / vue-tsc). Vue must also be told the tag is a custom element:
// `compilerOptions.isCustomElement: (tag) => tag.startsWith('oz-')`. Opt in with:
//   import type {} from '@oz-liveness/element/types/vue';

import type {
  CaptureEngine,
  LivenessCancelEvent,
  LivenessCapturedEvent,
  LivenessErrorEvent,
  LivenessProgressEvent,
  LivenessResultEvent,
  LivenessStateEvent,
  LivenessStrings,
} from '@oz-liveness/element';
import type { DefineComponent } from 'vue';

export interface OzLivenessCheckVueProps {
  endpoint?: string;
  'plugin-src'?: string;
  action?: string;
  lang?: string;
  name?: string;
  required?: boolean;
  disabled?: boolean;
  nonce?: string;
  /** Bind as a property: `:strings.prop="{ start: '…' }"`. */
  strings?: Partial<LivenessStrings>;
  captureEngine?: CaptureEngine;
  'onOz-liveness-state'?: (event: LivenessStateEvent) => void;
  'onOz-liveness-captured'?: (event: LivenessCapturedEvent) => void;
  'onOz-liveness-progress'?: (event: LivenessProgressEvent) => void;
  'onOz-liveness-result'?: (event: LivenessResultEvent) => void;
  'onOz-liveness-error'?: (event: LivenessErrorEvent) => void;
  'onOz-liveness-cancel'?: (event: LivenessCancelEvent) => void;
}

declare module 'vue' {
  interface GlobalComponents {
    'oz-liveness-check': DefineComponent<OzLivenessCheckVueProps>;
  }
}
