import { css } from 'lit';

// Each public custom property is read once, into a private one, so its default lives in one place.
export const styles = css`
  :host {
    --_accent: var(--oz-liveness-check-accent, #1d4ed8);
    --_radius: var(--oz-liveness-check-radius, 0.5rem);
    display: inline-block;
    font: var(--oz-liveness-check-font, inherit);
    color: var(--oz-liveness-check-color, inherit);
  }
  :host([hidden]) { display: none; }
  .base {
    display: flex;
    flex-direction: column;
    align-items: flex-start;
    gap: var(--oz-liveness-check-gap, 0.75rem);
    padding: var(--oz-liveness-check-padding, 0);
    border-radius: var(--_radius);
    background: var(--oz-liveness-check-background, transparent);
  }
  button {
    font: inherit;
    font-weight: 600;
    min-height: 2.75rem;
    padding: 0.5rem 1.25rem;
    border: 2px solid var(--_accent);
    border-radius: var(--_radius);
    background: var(--_accent);
    color: var(--oz-liveness-check-accent-contrast, #fff);
    cursor: pointer;
  }
  .busy button { background: none; color: var(--_accent); }
  button:focus-visible {
    outline: var(--oz-liveness-check-focus-ring, 3px solid #1d4ed8);
    outline-offset: 2px;
  }
  button:disabled { opacity: 0.5; cursor: not-allowed; }
  .status, .result { display: flex; align-items: center; gap: 0.5rem; margin: 0; }
  /* A live region must exist before it speaks: an empty one stays, out of the layout. */
  [data-empty] { position: absolute; clip-path: inset(50%); }
  .spinner {
    inline-size: 1em;
    block-size: 1em;
    border: 0.15em solid;
    border-inline-end-color: transparent;
    border-radius: 50%;
    animation: spin 0.8s linear infinite;
  }
  @keyframes spin { to { transform: rotate(1turn); } }
  progress { inline-size: 100%; min-inline-size: 12rem; accent-color: var(--_accent); }
  .result { outline: none; }
  .result, .status.accepted, .status.rejected, .status.review, .status.retry, .status.error {
    color: var(--_color);
  }
  .icon {
    display: inline-grid;
    place-items: center;
    inline-size: 2rem;
    block-size: 2rem;
    border-radius: 50%;
    background: var(--_color);
    color: #fff;
    font-weight: 700;
  }
  .accepted { --_color: var(--oz-liveness-check-accepted-color, #047857); }
  .rejected { --_color: var(--oz-liveness-check-rejected-color, #b91c1c); }
  .review { --_color: var(--oz-liveness-check-review-color, #92400e); }
  .retry { --_color: var(--oz-liveness-check-retry-color, #92400e); }
  .error { --_color: var(--oz-liveness-check-error-color, #b91c1c); }
  @media (prefers-reduced-motion: reduce) {
    .spinner { animation: none; border-inline-end-color: currentColor; opacity: 0.6; }
  }
  @media (forced-colors: active) {
    .icon { border: 1px solid CanvasText; }
  }
`;
