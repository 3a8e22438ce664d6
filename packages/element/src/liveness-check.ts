import {
  html,
  isServer,
  LitElement,
  nothing,
  type PropertyDeclarations,
  type PropertyValues,
} from 'lit';
import type { CaptureEngine } from './capture-engine.js';
import { lazyPluginEngine } from './default-engine.js';
import type { ErrorCode, LivenessErrorDetail } from './errors.js';
import {
  LivenessCancelEvent,
  LivenessCapturedEvent,
  LivenessErrorEvent,
  LivenessProgressEvent,
  LivenessResultEvent,
  LivenessStateEvent,
} from './events.js';
import { styles } from './liveness-check.styles.js';
import { LivenessFlow, loadFlowServices } from './liveness-flow.js';
import {
  en,
  type LivenessStrings,
  loadedStrings,
  loadStrings,
  matchLanguage,
  type SupportedLanguage,
} from './strings/index.js';
import type { Decision, LivenessResult, LivenessState } from './types.js';
import { whenIdle } from './when-idle.js';

type ResultView = 'accepted' | 'rejected' | 'review' | 'retry' | 'error';

const viewOf: Record<Decision, ResultView> = {
  ACCEPT: 'accepted',
  REJECT: 'rejected',
  REVIEW: 'review',
  RETRY: 'retry',
};
const icons: Record<ResultView, string> = {
  accepted: '✓',
  rejected: '✕',
  review: '…',
  retry: '↻',
  error: '!',
};
const errorText: Partial<Record<ErrorCode, keyof LivenessStrings>> = {
  UNSUPPORTED_BROWSER: 'errorBrowser',
  INSECURE_CONTEXT: 'errorBrowser',
  CAMERA_DENIED: 'errorCameraDenied',
  CAMERA_NOT_FOUND: 'errorCameraNotFound',
  CAPTURE_FAILED: 'errorCapture',
  CAPSULE_REJECTED: 'errorCapture',
  CAPSULE_TOO_LARGE: 'errorCapture',
  NETWORK: 'errorNetwork',
  OZ_UNAVAILABLE: 'errorNetwork',
  SESSION_TOKEN_FAILED: 'errorNetwork',
  PLUGIN_LOAD_FAILED: 'errorNetwork',
  RATE_LIMITED: 'errorBusy',
  UPLOAD_TIMEOUT: 'errorNetwork',
  SERVICE_UNAVAILABLE: 'errorGeneric',
};

/**
 * A liveness check in one tag: it captures a short selfie video with the Oz Web Plugin, sends
 * the sealed capsule to your GraphQL gateway and shows the verdict. As a form field its value
 * is the signed receipt, present only when the check was accepted. Give it a `binding` from
 * your sign-up session and the receipt only verifies for that session.
 *
 * @summary Oz Forensics liveness check: capture, upload, verdict; form-associated.
 * @tag oz-liveness-check
 *
 * @attr {'idle'|'preparing'|'capturing'|'uploading'|'done'|'error'} state - Reflects `state` (read-only).
 *
 * @fires {LivenessStateEvent} oz-liveness-state - The state changed. `detail: {state, previous}`.
 * @fires {LivenessCapturedEvent} oz-liveness-captured - The plugin handed over a capsule. `detail: {action, capsule}`.
 * @fires {LivenessProgressEvent} oz-liveness-progress - Upload progress in bytes. `detail: {loaded, total}`.
 * @fires {LivenessResultEvent} oz-liveness-result - The gateway's verdict, any decision. `detail: {result}`.
 * @fires {LivenessErrorEvent} oz-liveness-error - The check failed. `detail: {code, message, retry, vendorCode?}`.
 * @fires {LivenessCancelEvent} oz-liveness-cancel - The person closed the plugin or `cancel()` ran. `detail: {}`.
 *
 * @slot - The start button's label (default: "Start liveness check", localised).
 * @slot accepted - Shown when the decision is ACCEPT (default: a check mark).
 * @slot rejected - Shown when the decision is REJECT.
 * @slot review - Shown when the decision is REVIEW (a person must look).
 * @slot retry - Shown when the decision is RETRY (capture again).
 * @slot error - Shown in the error state.
 *
 * @csspart base - The wrapper of everything.
 * @csspart button - The one button: start, cancel or try again.
 * @csspart status - The status line (an `aria-live="polite"` region).
 * @csspart progress - The upload `<progress>` bar.
 * @csspart result - The result view (holds the decision's slot).
 *
 * @cssprop [--oz-liveness-check-accent=#1d4ed8] - Button and progress colour.
 * @cssprop [--oz-liveness-check-accent-contrast=#fff] - Button text colour.
 * @cssprop [--oz-liveness-check-radius=0.5rem] - Corner radius of the button and the base.
 * @cssprop [--oz-liveness-check-font=inherit] - Font shorthand.
 * @cssprop [--oz-liveness-check-color=inherit] - Text colour.
 * @cssprop [--oz-liveness-check-background=transparent] - Background of the base.
 * @cssprop [--oz-liveness-check-gap=0.75rem] - Space between the parts.
 * @cssprop [--oz-liveness-check-padding=0] - Padding of the base.
 * @cssprop [--oz-liveness-check-focus-ring=3px solid #1d4ed8] - Outline of the focused button.
 * @cssprop [--oz-liveness-check-accepted-color=#047857] - Colour of the ACCEPT view.
 * @cssprop [--oz-liveness-check-rejected-color=#b91c1c] - Colour of the REJECT view.
 * @cssprop [--oz-liveness-check-review-color=#92400e] - Colour of the REVIEW view.
 * @cssprop [--oz-liveness-check-retry-color=#92400e] - Colour of the RETRY view.
 * @cssprop [--oz-liveness-check-error-color=#b91c1c] - Colour of the error view.
 *
 * @cssstate idle - `:state(idle)`: nothing running.
 * @cssstate preparing - Pre-flight checks, plugin and session token.
 * @cssstate capturing - The plugin is open.
 * @cssstate uploading - The capsule is on its way to the gateway.
 * @cssstate done - A verdict arrived (see `result.decision`).
 * @cssstate error - The check failed (see `error.code`).
 */
export class OzLivenessCheck extends LitElement {
  static override styles = styles;
  // Focusing the element (a label click, a failed form check) focuses its button.
  static override shadowRootOptions: ShadowRootInit = {
    ...LitElement.shadowRootOptions,
    delegatesFocus: true,
  };
  static readonly formAssociated = true;
  /**
   * Origins besides the page's own that `plugin-src` may load from, e.g.
   * `['https://web-sdk.example.com']`; any other `plugin-src` fails with PLUGIN_LOAD_FAILED and
   * no script is inserted. Set from your code, not markup: whoever can write markup must not
   * pick where script comes from (a nonce and `'strict-dynamic'` trust what the element inserts).
   * Under Trusted Types this is the `oz-liveness` policy's rule.
   */
  static trustedPluginOrigins: readonly string[] = [];
  // Reactive properties are declared here, not with decorators: those would add Lit's decorator
  // module and TypeScript's __decorate helper to every page (1.4 KB minified, 0.4 KB gzipped).
  // `attribute: false` on internal state is what `state: true` implies; the manifest needs it.
  static override properties: PropertyDeclarations = {
    _strings: { state: true, attribute: false },
    _formDisabled: { state: true, attribute: false },
    endpoint: {},
    pluginSrc: { attribute: 'plugin-src' },
    action: {},
    lang: {},
    binding: {},
    traceparent: {},
    name: { reflect: true },
    required: { type: Boolean, reflect: true },
    disabled: { type: Boolean, reflect: true },
    strings: { attribute: false },
  };

  readonly #internals: ElementInternals;
  readonly #flow: LivenessFlow;
  readonly #defaultEngine = lazyPluginEngine(
    this,
    () => (this.constructor as typeof OzLivenessCheck).trustedPluginOrigins,
  );
  // A declarative shadow root exists before the constructor only when the server rendered us.
  readonly #serverRendered = !!this.shadowRoot;
  #language: SupportedLanguage | '' = '';
  #cancelPreload: (() => void) | undefined;
  #hadFocus = false;
  #returnFocus = false;

  // Internal reactive state (see `properties`).
  private _strings: LivenessStrings = en;
  private _formDisabled = false;

  /** URL of the GraphQL gateway. */
  endpoint = '/graphql';

  /** URL of the Oz Web Plugin script (your Web Adapter's `plugin_liveness.php`). */
  pluginSrc: string | null = null;

  /** One or more Oz actions, space-separated. */
  action = 'video_selfie_blank';

  /** UI and plugin language; empty: the nearest `[lang]` ancestor's, else `en`. */
  override lang = '';

  /**
   * An opaque value from your own sign-up session (e.g. an HMAC of its id, made by your server),
   * fixed to the transaction when a check starts and signed, hashed, into the receipt (`bnd`), so
   * your backend can refuse a receipt made in another session. Changing it affects the next
   * check, never the one running. Empty: no binding.
   */
  binding = '';

  /**
   * A W3C `traceparent` from your page (e.g. your RUM SDK's current span) that the check's
   * requests continue: both are sent with it. Read when a check starts. Empty or invalid: each
   * check starts a trace of its own (its two requests share one trace id).
   */
  traceparent = '';

  /** Form field name; the receipt is submitted under it. */
  name?: string;

  /** A form with this element cannot be submitted until the check is accepted. */
  required = false;

  /** Disables the button (as does a disabled `<fieldset>`); `start()` still works. */
  disabled = false;

  /** Overrides any built-in string, e.g. `{ start: 'Verify it is you' }`. */
  strings: Partial<LivenessStrings> = {};

  /** What captures the capsule; by default the Oz Web Plugin loaded from `plugin-src`. */
  get captureEngine(): CaptureEngine {
    return this._captureEngine ?? this.#defaultEngine;
  }
  set captureEngine(engine: CaptureEngine | null | undefined) {
    const old = this.captureEngine;
    this._captureEngine = engine ?? undefined;
    this.requestUpdate('captureEngine', old);
  }
  private _captureEngine: CaptureEngine | undefined;

  constructor() {
    super();
    this.#internals = this.attachInternals();
    this.#flow = new LivenessFlow(
      () => ({
        endpoint: this.endpoint,
        engine: this.captureEngine,
        actions: this.action.split(/\s+/).filter(Boolean),
        lang: this.#resolveLanguage(),
        binding: this.binding ?? '',
        traceparent: this.traceparent ?? '',
      }),
      {
        stateChanged: (next, previous) => {
          this.#reflectState(next, previous);
          this.requestUpdate();
          this.dispatchEvent(new LivenessStateEvent({ state: next, previous }));
        },
        captured: (detail) => this.dispatchEvent(new LivenessCapturedEvent(detail)),
        captureEnded: () => {
          // The plugin's dialog is gone; if it left focus nowhere, bring it back here.
          const active = document.activeElement;
          if (!active || active === document.body) this.#returnFocus = true;
          this.requestUpdate();
        },
        progress: (detail) => {
          this.requestUpdate();
          this.dispatchEvent(new LivenessProgressEvent(detail));
        },
        result: (result) => this.dispatchEvent(new LivenessResultEvent({ result })),
        error: (error) => this.dispatchEvent(new LivenessErrorEvent(error.toDetail())),
        cancelled: () => this.dispatchEvent(new LivenessCancelEvent()),
      },
    );
  }

  /** Where the check is: idle, preparing, capturing, uploading, done or error. */
  get state(): LivenessState {
    return this.#flow.state;
  }

  /** The last verdict (any decision), or null. */
  get result(): LivenessResult | null {
    return this.#flow.result;
  }

  /** The last error, as in `oz-liveness-error`, or null. */
  get error(): LivenessErrorDetail | null {
    return this.#flow.error?.toDetail() ?? null;
  }

  /** The form value: the receipt when the decision is ACCEPT, else empty. */
  get value(): string {
    const result = this.#flow.result;
    return this.state === 'done' && result?.decision === 'ACCEPT' ? result.receipt : '';
  }

  get form(): HTMLFormElement | null {
    return this.#internals.form;
  }
  get validity(): ValidityState {
    return this.#internals.validity;
  }
  get validationMessage(): string {
    return this.#internals.validationMessage;
  }
  get willValidate(): boolean {
    return this.#internals.willValidate;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#reflectState(this.state);
    if (this.hasUpdated) this.#preload();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#cancelPreload?.();
    // A move in the DOM reconnects at once; only an element really gone stops its check.
    queueMicrotask(() => {
      if (!this.isConnected) this.cancel();
    });
  }

  // Server-rendered: hydrate only once the strings the server used are here, so the first render
  // matches the server's DOM (Lit's hydration does not compare text) and nothing renders twice.
  protected override scheduleUpdate() {
    const language = this.#resolveLanguage();
    return this.#serverRendered && !this.hasUpdated && !loadedStrings(language)
      ? loadStrings(language).then(() => super.scheduleUpdate())
      : super.scheduleUpdate();
  }

  override willUpdate(): void {
    const language = this.#resolveLanguage();
    if (language !== this.#language) {
      this.#language = language;
      const ready = loadedStrings(language);
      if (ready) this._strings = ready;
      else {
        void loadStrings(language).then((strings) => {
          if (this.#language === language) this._strings = strings;
        });
      }
    }
    if (isServer) this.setAttribute('state', this.state);
    else this.#hadFocus = this.matches(':focus-within');
  }

  override updated(changed: PropertyValues<this>): void {
    if (changed.has('pluginSrc') || changed.has('captureEngine')) this.#preload();
    this.#syncForm();
    // Reflecting `disabled` adds or removes our attribute inside the update, after render: the
    // platform's formDisabledCallback then changes _formDisabled too late for this render (the
    // change is folded into the finished update and lost). Render once more when that happened.
    const shown = this.renderRoot.querySelector('button')?.disabled;
    if (shown !== undefined && shown !== (this.disabled || this._formDisabled))
      this.requestUpdate();
    if ((this.#hadFocus || this.#returnFocus) && !this.matches(':focus-within')) {
      // The button if there is one (Try again, Cancel), else the result it made way for.
      const root = this.renderRoot;
      (root.querySelector('button') ?? root.querySelector<HTMLElement>('[part="result"]'))?.focus();
    }
    this.#returnFocus = false;
  }

  /** @internal Form-associated callback: a form reset resets the check. */
  formResetCallback(): void {
    this.reset();
  }

  /** @internal Form-associated callback: the element or its fieldset got (un)disabled. */
  formDisabledCallback(disabled: boolean): void {
    this._formDisabled = disabled;
  }

  // A server renderer sees the element alone, not its ancestors: there only `lang` counts.
  #resolveLanguage(): SupportedLanguage {
    return matchLanguage(this.lang || (isServer ? '' : inheritedLang(this)));
  }

  #text(): LivenessStrings {
    return { ...this._strings, ...this.strings };
  }

  #reflectState(next: LivenessState, previous?: LivenessState): void {
    this.setAttribute('state', next);
    const states = this.#internals.states;
    try {
      if (previous) states.delete(previous);
      states.add(next);
    } catch {
      // Chromium before 125 only accepts the older `--name` form of custom states.
      try {
        if (previous) states.delete(`--${previous}`);
        states.add(`--${next}`);
      } catch {
        // No CustomStateSet: the `state` attribute still works.
      }
    }
  }

  #syncForm(): void {
    const receipt = this.value;
    this.#internals.setFormValue(receipt || null);
    if (this.required && !receipt) {
      const anchor = this.renderRoot.querySelector<HTMLElement>('button, [part="base"]');
      this.#internals.setValidity(
        { valueMissing: true },
        this.#text().valueMissing,
        anchor ?? undefined,
      );
    } else {
      this.#internals.setValidity({});
    }
  }

  #preload(): void {
    this.#cancelPreload?.();
    const engine = this.captureEngine;
    this.#cancelPreload = whenIdle(() => {
      // Failures here are not the person's: they surface, with a code, when a check starts.
      loadFlowServices().catch(() => {});
      engine.prepare?.().catch(() => {});
    });
  }

  // Lit calls event listeners with the element as `this`.
  #onClick(): void {
    if (this.disabled || this._formDisabled) return;
    if (this.#flow.running) this.cancel();
    else this.start().catch(() => {}); // reported by events and shown in the element
  }

  /** Runs the check (or returns the one in progress). Rejects with a `LivenessError` carrying `code`, or an AbortError when cancelled. */
  start(): Promise<LivenessResult> {
    return this.#flow.start();
  }

  /** Stops a running check (closing the plugin), fires `oz-liveness-cancel`, back to idle. */
  cancel(): void {
    this.#flow.cancel();
  }

  /** Back to idle with no result, no error and no form value. */
  reset(): void {
    this.#flow.reset();
    this.requestUpdate();
  }

  checkValidity(): boolean {
    return this.#internals.checkValidity();
  }

  reportValidity(): boolean {
    return this.#internals.reportValidity();
  }

  override render() {
    const text = this.#text();
    const current = this.state;
    const busy = this.#flow.running;
    const decision = this.#flow.result?.decision;
    const error = this.#flow.error;
    const view: ResultView | null =
      current === 'done' && decision ? viewOf[decision] : current === 'error' ? 'error' : null;

    let status = '';
    if (current === 'preparing' || current === 'capturing' || current === 'uploading') {
      status = text[current];
    } else if (view === 'error')
      status = text[errorText[error?.code as ErrorCode] ?? 'errorGeneric'];
    else if (view) status = text[view];

    let label: unknown = nothing;
    if (current === 'idle') label = html`<slot>${text.start}</slot>`;
    else if (busy) label = text.cancel;
    else if (view !== 'accepted' && !(view === 'error' && error?.retry === 'NONE')) {
      label = text.tryAgain;
    }

    const progress = this.#flow.progress;
    return html`
      <div part="base" class="base ${busy ? 'busy' : ''}">
        ${
          view
            ? html`<div part="result" class="result ${view}" tabindex="-1">
              <slot name=${view}><span class="icon" aria-hidden="true">${icons[view]}</span></slot>
            </div>`
            : nothing
        }
        <p part="status" class="status ${view ?? ''}" aria-live="polite" ?data-empty=${!status}>
          ${busy ? html`<span class="spinner" aria-hidden="true"></span>` : nothing}${status}
        </p>
        ${
          current === 'uploading'
            ? html`<progress
              part="progress"
              aria-label=${text.progressLabel}
              max=${progress?.total || nothing}
              value=${progress?.total ? progress.loaded : nothing}
            ></progress>`
            : nothing
        }
        ${
          label === nothing
            ? nothing
            : html`<button
              part="button"
              type="button"
              ?disabled=${this.disabled || this._formDisabled}
              @click=${this.#onClick}
            >
              ${label}
            </button>`
        }
      </div>
    `;
  }
}

/** The nearest `lang` attribute above, crossing shadow roots, like the platform's own. */
function inheritedLang(element: Element): string {
  let node: Element | null = element;
  while (node) {
    const found: Element | null = node.closest('[lang]');
    if (found) return found.getAttribute('lang') ?? '';
    const root = node.getRootNode();
    node = root instanceof ShadowRoot ? root.host : null;
  }
  return '';
}

declare global {
  interface HTMLElementTagNameMap {
    'oz-liveness-check': OzLivenessCheck;
  }
}
