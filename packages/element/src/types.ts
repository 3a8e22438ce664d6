/** The element's life cycle (CONTRACT.md section 3); also its `state` attribute and `:state()`. */
export type LivenessState = 'idle' | 'preparing' | 'capturing' | 'uploading' | 'done' | 'error';

/** Derived by the gateway from Oz's `resolution_status` + `system_resolution` only. */
export type Decision = 'ACCEPT' | 'REJECT' | 'REVIEW' | 'RETRY';

export interface LivenessAnalysis {
  id: string;
  /** QUALITY (liveness), BIOMETRY (face match), … */
  type: string;
  resolutionStatus: string;
}

/** The gateway's `LivenessResult`, as `submitCapsule` returns it. */
export interface LivenessResult {
  transactionId: string;
  folderId: string;
  resolutionStatus: string;
  systemResolution: string;
  decision: Decision;
  analyses: LivenessAnalysis[];
  /** Compact JWS the app's backend verifies with `verifyReceipt`; the form value on ACCEPT. */
  receipt: string;
}

/** One Oz session token from the gateway's `sessionToken` query. */
export interface SessionToken {
  token: string;
  expiresAt: Date;
  transactionId: string;
}
