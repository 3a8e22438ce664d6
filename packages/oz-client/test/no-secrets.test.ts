import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { inspect } from 'node:util';
import { createTestContainer } from '@oz-liveness/sandbox';
import { describe, expect, it } from 'vitest';
import { OzApiError, OzAuthError, OzTransportError } from '../src/index.js';
import { CREDENTIALS, thrown, useSandbox } from './support/sandbox.js';

const fx = useSandbox();

/** Every way an error can end up in a log or a response. */
function renderings(error: unknown): string[] {
  const e = error as Error;
  return [
    e.message,
    String(e.stack),
    JSON.stringify(e),
    String(e),
    inspect(e, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    JSON.stringify((e as { cause?: unknown }).cause ?? null),
  ];
}

describe('no secret in any thrown error', () => {
  it('covers Oz errors, echoed secrets, auth failures and transport failures', async () => {
    const client = fx.loginClient();
    const tokens = await client.refresh(); // the pair the client now holds
    const { sessionToken } = await client.sessionToken();
    const bodyMarker = `BODY-BYTES-${randomUUID()}`;
    const container = await createTestContainer({
      sessionToken,
      transactionId: randomUUID(),
      clip: new TextEncoder().encode(bodyMarker),
    });
    await client.submitContainer(container, { mode: 'instant' });
    const wrongPassword = `wrong-${randomUUID()}`;
    const staticToken = `static-${randomUUID()}`;
    const secrets = [
      CREDENTIALS.password,
      tokens.accessToken,
      tokens.expireToken,
      sessionToken,
      bodyMarker,
      wrongPassword,
      staticToken,
    ];
    const errors: unknown[] = [];
    const submit = () => client.submitContainer(container, { mode: 'instant' });

    // Oz refuses a reused session token (400 code 14).
    errors.push(await thrown(submit));

    // An Oz that echoes every secret in its error body, first as 400, then as 401 twice.
    const echo = JSON.stringify({
      error_code: 7,
      error_message: `token ${tokens.accessToken} / ${tokens.expireToken} / ${sessionToken} / ${CREDENTIALS.password} / ${bodyMarker}`,
      details: { token: tokens.accessToken, nested: [sessionToken, { p: CREDENTIALS.password }] },
    });
    await fx.sandbox.control.injectFault({ kind: 'status', status: 400, body: echo });
    errors.push(await thrown(submit));
    await fx.sandbox.control.injectFault({ kind: 'status', status: 401, body: echo, count: 2 });
    errors.push(await thrown(() => client.sessionToken()));
    await fx.sandbox.control.injectFault({
      kind: 'status',
      status: 401,
      body: echo.replace(CREDENTIALS.password, wrongPassword),
      path: '/api/authorize/auth/',
    });
    errors.push(
      await thrown(() => client.authorize({ email: CREDENTIALS.email, password: wrongPassword })),
    );

    // Refused credentials and a refused static token.
    errors.push(
      await thrown(() =>
        fx
          .client({ auth: { kind: 'login', email: CREDENTIALS.email, password: wrongPassword } })
          .sessionToken(),
      ),
    );
    errors.push(
      await thrown(() => fx.client({ auth: { kind: 'token', token: staticToken } }).sessionToken()),
    );

    // Transport failures in the middle of an upload.
    for (const kind of ['reset', 'reset-after-headers', 'malformed-json'] as const) {
      await fx.sandbox.control.injectFault({ kind, path: '/api/instant/folders/' });
      errors.push(
        await thrown(() => client.submitContainer(Readable.from([container]), { mode: 'instant' })),
      );
    }
    await fx.sandbox.control.injectFault({ kind: 'latency', ms: 1000 });
    errors.push(
      await thrown(() => client.submitContainer(container, { mode: 'instant', timeoutMs: 100 })),
    );
    const abort = new AbortController();
    setTimeout(() => abort.abort(new Error(`reason with ${CREDENTIALS.password}`)), 20);
    await fx.sandbox.control.injectFault({ kind: 'latency', ms: 1000 });
    errors.push(
      await thrown(() =>
        client.submitContainer(container, { mode: 'instant', signal: abort.signal }),
      ),
    );

    expect(errors.map((e) => (e as Error).name)).toEqual([
      'OzApiError',
      'OzApiError',
      'OzAuthError',
      'OzAuthError',
      'OzAuthError',
      'OzAuthError',
      'OzTransportError',
      'OzTransportError',
      'OzTransportError',
      'OzTransportError',
      'OzTransportError',
    ]);
    expect(errors[1]).toBeInstanceOf(OzApiError);
    expect(errors[2]).toBeInstanceOf(OzAuthError);
    expect(errors.slice(6).map((e) => (e as OzTransportError).reason)).toEqual([
      'reset',
      'reset',
      'bad-response',
      'timeout',
      'aborted',
    ]);
    expect(errors[10]).toBeInstanceOf(OzTransportError);
    // The echoed answer is still useful, just scrubbed.
    expect((errors[1] as OzApiError).message).toMatch(/^token \[redacted\]/);
    expect((errors[1] as OzApiError).details).toEqual({
      token: '[redacted]',
      nested: ['[redacted]', { p: '[redacted]' }],
    });

    for (const error of errors) {
      for (const text of renderings(error)) {
        for (const secret of secrets) expect(text).not.toContain(secret);
      }
    }
  });
});
