import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { SignupErrorCode, SignupVerdict } from '../src/shared/signup-verdict.js';

/** A sign-up form is two short fields; anything bigger is not our form. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * `POST /api/signup`: the demo's stand-in for a team's own backend. It reads the form the pages
 * post (`name`, and `liveness` = the element's value, the gateway's signed receipt), checks the
 * receipt with `verifyReceipt` and the gateway's secret, and answers who passed. This is the one
 * step a real app must do server-side: a decision shown in the browser proves nothing.
 */
export function createSignupHandler(receiptSecret: string | undefined) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const verdict = await judge(req, receiptSecret).catch(
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
  receiptSecret: string | undefined,
): Promise<Extract<SignupVerdict, { ok: true }> | Refusal> {
  if (req.method !== 'POST') return refuse(405, 'BAD_REQUEST', 'Use POST.');
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

  // Loaded on first use so the Vite config (which mounts this handler) stays light to load.
  const { ReceiptError, verifyReceipt } = await import('@oz-liveness/gateway/receipt');
  let claims: Awaited<ReturnType<typeof verifyReceipt>>;
  try {
    claims = await verifyReceipt(receipt, receiptSecret);
  } catch (error) {
    if (error instanceof ReceiptError && error.code === 'RECEIPT_EXPIRED') {
      return refuse(400, 'RECEIPT_EXPIRED', 'The liveness receipt has expired: check again.');
    }
    if (error instanceof ReceiptError) {
      return refuse(400, 'RECEIPT_INVALID', 'The liveness receipt is forged or altered.');
    }
    // verifyReceipt throws a RangeError for a secret too short to be safe: our setup, not theirs.
    return refuse(500, 'DEMO_MISCONFIGURED', 'RECEIPT_SECRET is not a usable key.');
  }
  if (claims.decision !== 'ACCEPT') {
    return {
      ...refuse(422, 'LIVENESS_NOT_ACCEPTED', `The liveness check ended with ${claims.decision}.`),
      decision: claims.decision,
    };
  }
  return {
    ok: true,
    name,
    decision: 'ACCEPT',
    transactionId: claims.tid,
    folderId: claims.fid,
  };
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
