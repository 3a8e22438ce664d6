import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { SignupErrorCode, SignupVerdict } from '../src/shared/signup-verdict.js';
import type { DemoSessions } from './demo-sessions.js';

/** A sign-up form is two short fields; anything bigger is not our form. */
const MAX_BODY_BYTES = 64 * 1024;

/** The receipt module, loaded on first use so the Vite config (which mounts this) stays light. */
type ReceiptModule = typeof import('@oz-liveness/gateway/receipt');
type ReplayStore = import('@oz-liveness/gateway/receipt').ReplayStore;

export interface SignupHandlerOptions {
  /** The gateway's RECEIPT_SECRET; without it every sign-up answers 500 DEMO_MISCONFIGURED. */
  receiptSecret: string | undefined;
  /** The sign-up sessions whose bindings the receipts must carry. */
  sessions: DemoSessions;
  /** Where used receipts are recorded. Default: in this process's memory (one demo server). */
  replayStore?: ReplayStore;
}

/**
 * `POST /api/signup`: the demo's stand-in for a team's own backend. It reads the form the pages
 * post (`name`, and `liveness` = the element's value, the gateway's signed receipt) and accepts
 * the sign-up only for a receipt that is genuine (the gateway's secret), unexpired, ACCEPT, made
 * in this visitor's session (its binding, derived again from the session cookie, never taken
 * from the form) and not used before; it is used up by this sign-up. This is the one step a
 * real app must do server-side: a decision shown in the browser proves nothing.
 */
export function createSignupHandler(options: SignupHandlerOptions) {
  let loaded: Promise<{ receipts: ReceiptModule; replayStore: ReplayStore }> | undefined;
  // One replay store for every request: created once, on the first sign-up.
  const load = () => {
    loaded ??= import('@oz-liveness/gateway/receipt').then((receipts) => ({
      receipts,
      replayStore: options.replayStore ?? new receipts.MemoryReplayStore(),
    }));
    return loaded;
  };
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const verdict = await judge(req, options, load).catch(
      (): Refusal => refuse(400, 'BAD_REQUEST', 'The form could not be read.'),
    );
    const status = verdict.ok ? 200 : verdict.status;
    const body: SignupVerdict = verdict.ok ? verdict : withoutStatus(verdict);
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
}

type Refusal = Extract<SignupVerdict, { ok: false }> & { status: number };

async function judge(
  req: IncomingMessage,
  options: SignupHandlerOptions,
  load: () => Promise<{ receipts: ReceiptModule; replayStore: ReplayStore }>,
): Promise<Extract<SignupVerdict, { ok: true }> | Refusal> {
  if (req.method !== 'POST') return refuse(405, 'BAD_REQUEST', 'Use POST.');
  const { receiptSecret, sessions } = options;
  if (!receiptSecret) {
    return refuse(500, 'DEMO_MISCONFIGURED', 'RECEIPT_SECRET is not set for the demo server.');
  }
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) {
    return refuse(413, 'BAD_REQUEST', 'The form is too large.');
  }
  const form = await readForm(req);
  const name = String(form.get('name') ?? '').trim();
  const receipt = String(form.get('liveness') ?? '');
  if (!name) return refuse(400, 'NAME_REQUIRED', 'Please enter a name.');
  if (!receipt) return refuse(400, 'RECEIPT_MISSING', 'The liveness check was not completed.');
  const session = sessions.sessionOf(req);
  if (!session) {
    return refuse(400, 'SESSION_MISSING', 'No sign-up session: reload the page and check again.');
  }

  const { receipts, replayStore } = await load();
  let claims: Awaited<ReturnType<ReceiptModule['verifyReceipt']>>;
  try {
    // verifyReceipt checks in this order: signature, expiry, decision, binding, and only then
    // records the receipt as used, so a receipt refused for any other reason is not used up.
    claims = await receipts.verifyReceipt(receipt, receiptSecret, {
      decisions: ['ACCEPT'],
      binding: sessions.bindingOf(session),
      replayStore,
    });
  } catch (error) {
    if (!(error instanceof receipts.ReceiptError)) {
      // A RangeError: a secret too short to be safe, our setup and not theirs.
      if (error instanceof RangeError) {
        return refuse(500, 'DEMO_MISCONFIGURED', 'RECEIPT_SECRET is not a usable key.');
      }
      // The replay store could not tell whether the receipt was used: refuse, never guess.
      return refuse(503, 'TRY_AGAIN_LATER', 'The sign-up cannot be checked now; try again.');
    }
    return refusalFor(error);
  }
  return {
    ok: true,
    name,
    decision: 'ACCEPT',
    transactionId: claims.tid,
    folderId: claims.fid,
  };
}

function refusalFor(error: InstanceType<ReceiptModule['ReceiptError']>): Refusal {
  switch (error.code) {
    case 'RECEIPT_EXPIRED':
      return refuse(400, 'RECEIPT_EXPIRED', 'The liveness receipt has expired: check again.');
    case 'RECEIPT_MISMATCH': {
      const decision = error.claims?.decision ?? 'not ACCEPT';
      return {
        ...refuse(422, 'LIVENESS_NOT_ACCEPTED', `The liveness check ended with ${decision}.`),
        decision,
      };
    }
    case 'RECEIPT_BINDING_MISMATCH':
      return refuse(
        403,
        'RECEIPT_BINDING_MISMATCH',
        'This liveness check was made in another session: check again here.',
      );
    case 'RECEIPT_REPLAYED':
      return refuse(
        409,
        'RECEIPT_REPLAYED',
        'This liveness check has been used for a sign-up already: check again.',
      );
    default:
      return refuse(400, 'RECEIPT_INVALID', 'The liveness receipt is forged or altered.');
  }
}

async function readForm(req: IncomingMessage): Promise<FormData> {
  // The fetch Request parses both multipart and urlencoded bodies; no extra dependency needed.
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(key, value);
  }
  const request = new Request('http://demo.invalid/api/signup', {
    method: 'POST',
    headers,
    body: limited(req),
    duplex: 'half',
  } as RequestInit);
  return request.formData();
}

/** The body as a web stream that errors once it grows past MAX_BODY_BYTES (chunked uploads). */
function limited(req: IncomingMessage): ReadableStream<Uint8Array> {
  let seen = 0;
  const guard = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > MAX_BODY_BYTES) controller.error(new Error('form too large'));
      else controller.enqueue(chunk);
    },
  });
  return (Readable.toWeb(req) as ReadableStream<Uint8Array>).pipeThrough(guard);
}

function refuse(status: number, code: SignupErrorCode, message: string): Refusal {
  return { ok: false, status, code, message };
}

function withoutStatus({ status: _status, ...verdict }: Refusal): SignupVerdict {
  return verdict;
}
