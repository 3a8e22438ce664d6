import { encodeContainer, type Outcome } from './container/format.js';

export interface TestContainerInput {
  sessionToken: string;
  /** Goes into meta as `transaction_id`, as the element passes it. */
  transactionId?: string;
  /** Default 'genuine'. */
  outcome?: Outcome;
  /** Default ['video_selfie_blank']. */
  actions?: string[];
  /** Default: a few hundred random bytes behind a WebM signature. */
  clip?: Uint8Array;
}

/** WebM/EBML magic, so a default clip at least starts like the real thing. */
const WEBM_SIGNATURE = [0x1a, 0x45, 0xdf, 0xa3];

/** A valid sandbox container for a session token, for Node tests (the plugin makes real ones). */
export function createTestContainer(input: TestContainerInput): Promise<Uint8Array> {
  let clip = input.clip;
  if (!clip) {
    clip = new Uint8Array(256);
    crypto.getRandomValues(clip);
    clip.set(WEBM_SIGNATURE);
  }
  return encodeContainer(
    {
      session_token: input.sessionToken,
      actions: input.actions ?? ['video_selfie_blank'],
      meta: input.transactionId === undefined ? {} : { transaction_id: input.transactionId },
      outcome: input.outcome ?? 'genuine',
      clip_type: 'video/webm',
      captured_at: new Date().toISOString(),
    },
    clip,
  );
}
