import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAGIC } from '../src/container/format.js';
import {
  createTestContainer,
  decodeContainer,
  encodeContainer,
  type RunningSandbox,
  startSandbox,
} from '../src/index.js';
import { freshContainer, login, raw, sessionToken, submit } from './api-helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A container with an arbitrary header byte string but a valid integrity check. */
function craftContainer(headerBytes: Uint8Array, clip: Uint8Array): Uint8Array {
  const body = Buffer.concat([
    Buffer.from(MAGIC),
    Buffer.alloc(4),
    headerBytes,
    Buffer.alloc(4),
    clip,
  ]);
  body.writeUInt32BE(headerBytes.length, MAGIC.length);
  body.writeUInt32BE(clip.length, MAGIC.length + 4 + headerBytes.length);
  return Buffer.concat([body, createHash('sha256').update(body).digest()]);
}

describe('container intake', () => {
  let sandbox: RunningSandbox;
  let token: string;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(() => sandbox.close());
  beforeEach(async () => {
    await sandbox.control.reset();
    token = (await login(sandbox)).access_token;
  });

  it('answers 201 with a realistic folder for a valid container', async () => {
    const container = await freshContainer(sandbox, token, {
      transactionId: 'tx-201',
      actions: ['video_selfie_blank', 'video_selfie_smile'],
    });
    const res = await submit(sandbox, token, container);
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toBe('application/json');
    const folder = res.json();
    expect(folder.folder_id).toMatch(UUID);
    expect(Date.parse(folder.time_created)).not.toBeNaN();
    expect(Date.parse(folder.time_updated)).not.toBeNaN();
    expect(folder.meta_data).toEqual({ transaction_id: 'tx-201' });
    expect(folder.resolution_status).toBe('FINISHED');
    expect(folder.system_resolution).toBe('SUCCESS');
    expect(folder.media).toHaveLength(1);
    expect(folder.media[0]).toMatchObject({
      media_type: 'VIDEO_FOLDER',
      original_name: 'video_selfie_blank.webm',
    });
    expect(folder.media[0].media_id).toMatch(UUID);
    // The media's size and SHA-256 are the clip's (not the container's).
    const { clip } = await decodeContainer(container);
    expect(folder.media[0].info).toMatchObject({
      size: clip.byteLength,
      sha256: createHash('sha256').update(clip).digest('hex'),
    });
    expect(folder.media[0].tags).toEqual(
      expect.arrayContaining(['video_selfie_blank', 'video_selfie_smile']),
    );
    expect(folder.analyses).toHaveLength(1);
    const [analysis] = folder.analyses;
    expect(analysis).toMatchObject({
      type: 'QUALITY',
      state: 'FINISHED',
      resolution_status: 'SUCCESS',
    });
    expect(analysis.analyse_id).toMatch(UUID);
    const score = analysis.results_media[0].results_data.confidence_spoofing;
    expect(score).toBeGreaterThanOrEqual(0.01);
    expect(score).toBeLessThanOrEqual(0.1);
  });

  it.each([
    ['genuine', 'FINISHED', 'SUCCESS', 'FINISHED', 'SUCCESS', [0.01, 0.1]],
    ['spoof', 'FINISHED', 'DECLINED', 'FINISHED', 'DECLINED', [0.9, 0.99]],
    ['review', 'FINISHED', 'OPERATOR_REQUIRED', 'FINISHED', 'OPERATOR_REQUIRED', [0.4, 0.6]],
    ['system_error', 'FAILED', 'FAILED', 'FAILED', 'FAILED', null],
  ] as const)('maps the %s outcome to %s/%s', async (outcome, rs, sr, state, ars, range) => {
    const res = await submit(sandbox, token, await freshContainer(sandbox, token, { outcome }));
    expect(res.status).toBe(201);
    const folder = res.json();
    expect([folder.resolution_status, folder.system_resolution]).toEqual([rs, sr]);
    const [analysis] = folder.analyses;
    expect([analysis.state, analysis.resolution_status]).toEqual([state, ars]);
    if (range) {
      const score = analysis.results_media[0].results_data.confidence_spoofing;
      expect(score).toBeGreaterThanOrEqual(range[0]);
      expect(score).toBeLessThanOrEqual(range[1]);
    } else {
      expect(analysis.results_media).toEqual([]);
    }
  });

  it('uses queued outcomes first, in order, then the container’s own', async () => {
    await sandbox.control.queueOutcomes([
      'spoof',
      { resolution_status: 'PROCESSING', system_resolution: 'PROCESSING' },
    ]);
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const res = await submit(
        sandbox,
        token,
        await freshContainer(sandbox, token, { outcome: 'review' }),
      );
      answers.push(res.json());
    }
    expect(answers.map((f) => `${f.resolution_status}/${f.system_resolution}`)).toEqual([
      'FINISHED/DECLINED',
      'PROCESSING/PROCESSING',
      'FINISHED/OPERATOR_REQUIRED',
    ]);
    expect(answers[1].analyses[0]).toMatchObject({
      state: 'PROCESSING',
      resolution_status: 'PROCESSING',
    });
  });

  it('does not spend a queued outcome on a refused container', async () => {
    await sandbox.control.queueOutcomes(['spoof']);
    expect((await submit(sandbox, token, 'garbage')).status).toBe(400);
    const res = await submit(sandbox, token, await freshContainer(sandbox, token));
    expect(res.json().system_resolution).toBe('DECLINED');
  });

  it('refuses an empty body with 400 code 13', async () => {
    const res = await submit(sandbox, token, '');
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({
      error_code: 13,
      error_message: 'No container received',
      details: null,
    });
  });

  it.each([
    ['application/json', '{"capsule":"…"}'],
    ['multipart/form-data; boundary=x', '--x\r\n\r\n--x--'],
    ['text/plain', 'hello'],
  ])('refuses a %s body with 400 code 5', async (contentType, body) => {
    const res = await submit(sandbox, token, body, { contentType });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({
      error_code: 5,
      details: { content_type: contentType.split(';')[0] },
    });
  });

  it('accepts application/octet-stream with parameters and any case', async () => {
    const container = await freshContainer(sandbox, token);
    const res = await submit(sandbox, token, container, {
      contentType: 'Application/Octet-Stream; charset=binary',
    });
    expect(res.status).toBe(201);
  });

  it('refuses a damaged, truncated or foreign container with 400 code 5', async () => {
    const container = await freshContainer(sandbox, token);
    const flipped = Uint8Array.from(container);
    flipped[40] = (flipped[40] ?? 0) ^ 0xff;
    for (const body of [
      flipped,
      container.subarray(0, container.length - 10),
      'not a container at all, just text',
    ]) {
      const res = await submit(sandbox, token, body);
      expect(res.status).toBe(400);
      expect(res.json().error_code).toBe(5);
    }
  });

  it('refuses a container whose header lacks data with 400 code 3', async () => {
    const session = await sessionToken(sandbox, token);
    const clip = new Uint8Array([1, 2, 3]);
    const bodies = [
      craftContainer(Buffer.from('{not json'), clip),
      craftContainer(Buffer.from(JSON.stringify({ actions: ['video_selfie_blank'] })), clip),
      await encodeContainer(
        {
          session_token: session,
          actions: [],
          meta: {},
          outcome: 'genuine',
          clip_type: 'video/webm',
          captured_at: '',
        },
        clip,
      ),
      await encodeContainer(
        {
          session_token: session,
          actions: ['video_selfie_blank'],
          meta: {},
          outcome: 'maybe' as never, // deliberately invalid
          clip_type: 'video/webm',
          captured_at: '',
        },
        clip,
      ),
    ];
    for (const body of bodies) {
      const res = await submit(sandbox, token, body);
      expect(res.status).toBe(400);
      expect(res.json().error_code).toBe(3);
    }
    // None of those spent the session token.
    const ok = await submit(sandbox, token, await createTestContainer({ sessionToken: session }));
    expect(ok.status).toBe(201);
  });

  it('refuses a container without media with 400 code 4', async () => {
    const session = await sessionToken(sandbox, token);
    const res = await submit(
      sandbox,
      token,
      await createTestContainer({ sessionToken: session, clip: new Uint8Array(0) }),
    );
    expect(res.status).toBe(400);
    expect(res.json().error_code).toBe(4);
  });

  it('refuses unknown, empty and reused session tokens with 400 code 14', async () => {
    const invalid = {
      error_code: 14,
      error_message: 'Invalid or empty Session Token',
      details: null,
    };
    for (const sessionToken of ['', 'eyJmade.up.token']) {
      const res = await submit(sandbox, token, await createTestContainer({ sessionToken }));
      expect(res.status).toBe(400);
      expect(res.json()).toEqual(invalid);
    }
    const session = await sessionToken(sandbox, token);
    const container = await createTestContainer({ sessionToken: session });
    expect((await submit(sandbox, token, container)).status).toBe(201);
    const replay = await submit(sandbox, token, container);
    expect(replay.status).toBe(400);
    expect(replay.json()).toEqual(invalid);
    // A new container made with the spent token (not a byte-identical replay) is refused too.
    const remade = await createTestContainer({ sessionToken: session, outcome: 'spoof' });
    expect((await submit(sandbox, token, remade)).json()).toEqual(invalid);
  });

  it('lets only one of two simultaneous containers with the same token through', async () => {
    const session = await sessionToken(sandbox, token);
    const [a, b] = await Promise.all([
      submit(
        sandbox,
        token,
        await createTestContainer({ sessionToken: session, outcome: 'genuine' }),
      ),
      submit(
        sandbox,
        token,
        await createTestContainer({ sessionToken: session, outcome: 'spoof' }),
      ),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 400]);
  });

  it('issues JWT-looking session tokens, a new one each call', async () => {
    const first = await sessionToken(sandbox, token);
    const second = await sessionToken(sandbox, token);
    expect(first).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(second).not.toBe(first);
  });
});

describe('session token expiry', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({ sessionTokenTtlS: 0.2 });
  });
  afterAll(() => sandbox.close());
  // The sandbox runs in this process: Date moves only when told, so a busy machine cannot age a
  // token past its 0.2 s lifetime between issue and use.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('accepts a token within its lifetime and refuses it after with code 14', async () => {
    const { access_token } = await login(sandbox);
    const inTime = await freshContainer(sandbox, access_token);
    vi.advanceTimersByTime(199);
    expect((await submit(sandbox, access_token, inTime)).status).toBe(201);

    const late = await freshContainer(sandbox, access_token);
    vi.advanceTimersByTime(200);
    const res = await submit(sandbox, access_token, late);
    expect(res.status).toBe(400);
    expect(res.json().error_code).toBe(14);
  });
});

describe('full mode storage', () => {
  let sandbox: RunningSandbox;
  let token: string;
  beforeAll(async () => {
    sandbox = await startSandbox();
    token = (await login(sandbox)).access_token;
  });
  afterAll(() => sandbox.close());
  const get = (path: string) =>
    raw(sandbox.url, path, { headers: { 'x-forensic-access-token': token } });

  it('stores full-mode folders and finds them by id and by transaction id', async () => {
    const first = (
      await submit(
        sandbox,
        token,
        await freshContainer(sandbox, token, { transactionId: 'tx-a' }),
        { mode: 'full' },
      )
    ).json();
    const second = (
      await submit(
        sandbox,
        token,
        await freshContainer(sandbox, token, { transactionId: 'tx-b', outcome: 'spoof' }),
        { mode: 'full' },
      )
    ).json();

    const byId = await get(`/api/folders/${second.folder_id}/`);
    expect(byId.status).toBe(200);
    expect(byId.json()).toEqual(second);

    const byTx = await get('/api/folders/?meta_data=transaction_id==tx-a');
    expect(byTx.status).toBe(200);
    expect(byTx.json()).toEqual([first]);

    expect((await get('/api/folders/?meta_data=transaction_id==tx-none')).json()).toEqual([]);
    expect(
      (await get('/api/folders/')).json().map((f: { folder_id: string }) => f.folder_id),
    ).toEqual([second.folder_id, first.folder_id]);
  });

  it('answers an unknown folder id with 404 code 10 and a bad filter with 400 code 4', async () => {
    const missing = await get('/api/folders/00000000-0000-0000-0000-000000000000/');
    expect(missing.status).toBe(404);
    expect(missing.json().error_code).toBe(10);
    const bad = await get('/api/folders/?meta_data=transaction_id');
    expect(bad.status).toBe(400);
    expect(bad.json().error_code).toBe(4);
  });

  it('does not store Instant API folders', async () => {
    const folder = (
      await submit(
        sandbox,
        token,
        await freshContainer(sandbox, token, { transactionId: 'tx-instant' }),
      )
    ).json();
    expect((await get(`/api/folders/${folder.folder_id}/`)).status).toBe(404);
    expect((await get('/api/folders/?meta_data=transaction_id==tx-instant')).json()).toEqual([]);
  });

  it('forgets folders on reset', async () => {
    const folder = (
      await submit(sandbox, token, await freshContainer(sandbox, token), { mode: 'full' })
    ).json();
    await sandbox.control.reset();
    token = (await login(sandbox)).access_token;
    expect((await get(`/api/folders/${folder.folder_id}/`)).status).toBe(404);
  });
});
