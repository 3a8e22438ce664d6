/** What `POST /api/signup` answers: the demo backend's view of who signed up and whether they passed. */
export type SignupVerdict = SignupAccepted | SignupRefused;

export interface SignupAccepted {
  ok: true;
  name: string;
  decision: 'ACCEPT';
  transactionId: string;
  folderId: string;
}

export interface SignupRefused {
  ok: false;
  code: SignupErrorCode;
  message: string;
  /** The decision the receipt carried, when it was genuine but not ACCEPT. */
  decision?: string;
}

export type SignupErrorCode =
  | 'NAME_REQUIRED'
  | 'RECEIPT_MISSING'
  | 'RECEIPT_INVALID'
  | 'RECEIPT_EXPIRED'
  | 'LIVENESS_NOT_ACCEPTED'
  | 'RECEIPT_BINDING_MISMATCH'
  | 'RECEIPT_REPLAYED'
  | 'SESSION_MISSING'
  | 'BAD_REQUEST'
  | 'TRY_AGAIN_LATER'
  | 'DEMO_MISCONFIGURED';
