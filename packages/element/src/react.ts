import { createComponent, type EventName, type ReactWebComponent } from '@lit/react';
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

const events = {
  onOzLivenessState: 'oz-liveness-state' as EventName<LivenessStateEvent>,
  onOzLivenessCaptured: 'oz-liveness-captured' as EventName<LivenessCapturedEvent>,
  onOzLivenessProgress: 'oz-liveness-progress' as EventName<LivenessProgressEvent>,
  onOzLivenessResult: 'oz-liveness-result' as EventName<LivenessResultEvent>,
  onOzLivenessError: 'oz-liveness-error' as EventName<LivenessErrorEvent>,
  onOzLivenessCancel: 'oz-liveness-cancel' as EventName<LivenessCancelEvent>,
};
type EventProp = keyof typeof events;
type Props = React.ComponentPropsWithoutRef<
  ReactWebComponent<OzLivenessCheckElement, typeof events>
>;

// Properties go through @lit/react, events do not: its listeners stay on the element after
// unmount (@lit/react 1.0), so the oz-liveness-cancel that an unmount causes (a removed element
// cancels its check) would still reach the unmounted component's handler.
const WithProperties = createComponent({
  tagName: 'oz-liveness-check',
  elementClass: OzLivenessCheckElement,
  react: React,
});

// No layout effects during server rendering (React 18 warns about them there).
const useClientLayoutEffect =
  typeof window === 'undefined' ? React.useEffect : React.useLayoutEffect;

/**
 * `<oz-liveness-check>` as a React component (registers the tag on import). Properties such as
 * `strings` and `captureEngine` are set as properties, and each event has a typed prop:
 * `onOzLivenessResult={(e) => e.detail.result}`. Unmounting removes the listeners.
 */
export const OzLivenessCheck: ReactWebComponent<OzLivenessCheckElement, typeof events> =
  React.forwardRef<OzLivenessCheckElement, Props>(function OzLivenessCheck(props, ref) {
    const element = React.useRef<OzLivenessCheckElement | null>(null);
    const latest = React.useRef(props);
    useClientLayoutEffect(() => {
      latest.current = props;
    });
    // One listener per event for as long as the element is mounted; each calls the handler of
    // the latest render, so changing a handler needs no new listener.
    useClientLayoutEffect(() => {
      const node = element.current;
      if (!node) return;
      const listeners = (Object.keys(events) as EventProp[]).map((prop) => {
        const listener = (event: Event) =>
          (latest.current[prop] as ((event: Event) => void) | undefined)?.(event);
        node.addEventListener(events[prop], listener);
        return () => node.removeEventListener(events[prop], listener);
      });
      return () => {
        for (const remove of listeners) remove();
      };
    }, []);
    const setRef = React.useCallback(
      (node: OzLivenessCheckElement | null) => {
        element.current = node;
        if (typeof ref === 'function') ref(node);
        else if (ref) ref.current = node;
      },
      [ref],
    );
    const rest: Record<string, unknown> = { ...props };
    for (const prop in events) delete rest[prop];
    return React.createElement(WithProperties, { ...rest, ref: setRef });
  });
OzLivenessCheck.displayName = 'OzLivenessCheck';
