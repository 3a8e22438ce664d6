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
  OzLivenessCheck,
} from '@oz-liveness/element';
import type { EmitFn, HTMLAttributes, PublicProps } from 'vue';

// vue-tsc checks the tag like a component, so `plugin-src="…"` in a template is checked as
// `pluginSrc`; Vue itself sets it as the attribute (or the property, if written `pluginSrc`).
export interface OzLivenessCheckVueProps {
  endpoint?: string;
  pluginSrc?: string;
  action?: string;
  lang?: string;
  binding?: string;
  name?: string;
  required?: boolean;
  disabled?: boolean;
  nonce?: string;
  /** Bind as a property: `:strings.prop="{ start: '…' }"`. */
  strings?: Partial<LivenessStrings>;
  captureEngine?: CaptureEngine;
}

export interface OzLivenessCheckVueEvents {
  'oz-liveness-state': (event: LivenessStateEvent) => void;
  'oz-liveness-captured': (event: LivenessCapturedEvent) => void;
  'oz-liveness-progress': (event: LivenessProgressEvent) => void;
  'oz-liveness-result': (event: LivenessResultEvent) => void;
  'oz-liveness-error': (event: LivenessErrorEvent) => void;
  'oz-liveness-cancel': (event: LivenessCancelEvent) => void;
}

// The shape Vue documents for custom elements not built with Vue: `$props` and `$emit` type the
// template (listeners by their kebab-case event names), and a template ref is the element itself.
declare module 'vue' {
  interface GlobalComponents {
    'oz-liveness-check': new () => OzLivenessCheck & {
      /** @deprecated For template type-checking only; not a property of the element. */
      $props: HTMLAttributes & OzLivenessCheckVueProps & PublicProps;
      /** @deprecated For template type-checking only; not a method of the element. */
      $emit: EmitFn<OzLivenessCheckVueEvents>;
    };
  }
}
