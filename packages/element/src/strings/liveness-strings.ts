/** Every text the element shows or announces; `strings` on the element overrides any of them. */
export interface LivenessStrings {
  /** Button label while idle (the default slot replaces it). */
  start: string;
  /** Button label while preparing, capturing or uploading. */
  cancel: string;
  /** Button label when a new attempt may help. */
  tryAgain: string;
  preparing: string;
  capturing: string;
  uploading: string;
  /** Accessible name of the upload progress bar. */
  progressLabel: string;
  /** Status per decision. */
  accepted: string;
  rejected: string;
  review: string;
  retry: string;
  /** Validation message while `required` and not accepted. */
  valueMissing: string;
  /** UNSUPPORTED_BROWSER, INSECURE_CONTEXT. */
  errorBrowser: string;
  errorCameraDenied: string;
  errorCameraNotFound: string;
  /** CAPTURE_FAILED, CAPSULE_REJECTED, CAPSULE_TOO_LARGE. */
  errorCapture: string;
  /** NETWORK, OZ_UNAVAILABLE, UPLOAD_TIMEOUT, SESSION_TOKEN_FAILED, PLUGIN_LOAD_FAILED. */
  errorNetwork: string;
  /** RATE_LIMITED. */
  errorBusy: string;
  /** Anything else (e.g. SERVICE_UNAVAILABLE: the gateway is busy). */
  errorGeneric: string;
}
