// Teaches TypeScript's JSX about the tag. React 19 itself needs nothing: it sets attributes and
// properties on custom elements and turns `on<event-name>` props into event listeners.
import type { OzLivenessCheck } from '@oz-liveness/element';
import type { DetailedHTMLProps, HTMLAttributes } from 'react';

type Listener<K extends keyof HTMLElementEventMap> = (event: HTMLElementEventMap[K]) => void;

interface OzLivenessCheckProps
  extends DetailedHTMLProps<HTMLAttributes<OzLivenessCheck>, OzLivenessCheck> {
  name?: string;
  required?: boolean;
  endpoint?: string;
  'plugin-src'?: string;
  action?: string;
  lang?: string;
  'onoz-liveness-state'?: Listener<'oz-liveness-state'>;
  'onoz-liveness-captured'?: Listener<'oz-liveness-captured'>;
  'onoz-liveness-progress'?: Listener<'oz-liveness-progress'>;
  'onoz-liveness-result'?: Listener<'oz-liveness-result'>;
  'onoz-liveness-error'?: Listener<'oz-liveness-error'>;
  'onoz-liveness-cancel'?: Listener<'oz-liveness-cancel'>;
}

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'oz-liveness-check': OzLivenessCheckProps;
    }
  }
}
