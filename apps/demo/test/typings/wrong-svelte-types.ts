// The element's Svelte typings (what svelte-check checks `<oz-liveness-check …>` markup against)
// must refuse each marked line; `pnpm check-types` (tsc) fails if one type-checks, the
// expect-error then being unused. Markup itself has no expect-error comment in svelte-check.
import type { LivenessErrorEvent } from '@oz-liveness/element';
import type {} from '@oz-liveness/element/types/svelte';

type CheckProps = svelteHTML.IntrinsicElements['oz-liveness-check'];

export const wrongTypes: CheckProps[] = [
  // @ts-expect-error a result handler typed for the error event
  { 'onoz-liveness-result': (event: LivenessErrorEvent) => event.detail.code },
  // @ts-expect-error strings is an object of strings, not a number
  { strings: 5 },
  // The right types pass.
  { 'onoz-liveness-result': (event) => event.detail.result.decision, strings: {} },
];
