import { describe, expect, it } from 'vitest';
import { OzTransportError } from '../src/index.js';
import { thrown, useSandbox } from './support/sandbox.js';

// Oz publishes no verbatim folder; these answers are played by the sandbox's status fault so the
// client parses them off a real socket.
const fx = useSandbox({ requireAuth: false });

const variantFolder = {
  folder_id: 'f0000000-0000-4000-8000-000000000001',
  time_created: 1_700_000_000,
  meta_data: { transaction_id: 'tx-42', attempt: 2, nested: { dropped: true } },
  resolution_status: 'FINISHED',
  system_resolution: 'DECLINED',
  vendor_extension: { kept: 'yes' },
  analyses: [
    {
      analysis_id: 'a-1',
      type: 'QUALITY',
      state: 'FINISHED',
      resolution_status: 'DECLINED',
      results_media: [
        { results_data: { confidence_spoofing: 0.2 } },
        { results_data: { confidence_spoofing: '0.97' } },
        { results_data: null },
      ],
    },
    {
      analyse_id: 7,
      type: 'BIOMETRY',
      state: 'PROCESSING',
      results_data: { confidence_spoofing: 0.4 },
    },
    'not an analysis',
  ],
};

describe('lenient folder parsing', () => {
  it('accepts analysis_id, numeric ids, string scores and keeps unknown fields', async () => {
    await fx.sandbox.control.injectFault({
      kind: 'status',
      status: 201,
      body: JSON.stringify(variantFolder),
    });
    const folder = await fx.client().submitContainer(new Uint8Array([1]), { mode: 'instant' });
    expect(folder).toMatchObject({
      folderId: variantFolder.folder_id,
      resolutionStatus: 'FINISHED',
      systemResolution: 'DECLINED',
      timeCreated: '2023-11-14T22:13:20.000Z',
      metaData: { transaction_id: 'tx-42', attempt: '2' },
      media: [],
    });
    expect(folder.timeUpdated).toBeUndefined();
    expect(folder.metaData).not.toHaveProperty('nested');
    expect(folder.raw.vendor_extension).toEqual({ kept: 'yes' });
    expect(folder.analyses).toHaveLength(2);
    expect(folder.analyses[0]).toMatchObject({
      id: 'a-1',
      type: 'QUALITY',
      state: 'FINISHED',
      resolutionStatus: 'DECLINED',
      confidenceSpoofing: 0.97,
    });
    // No resolution_status: the state stands in; the score comes from the analysis' own results.
    expect(folder.analyses[1]).toMatchObject({
      id: '7',
      type: 'BIOMETRY',
      resolutionStatus: 'PROCESSING',
      confidenceSpoofing: 0.4,
    });
  });

  it('refuses a 2xx answer that is not a folder', async () => {
    await fx.sandbox.control.injectFault({ kind: 'status', status: 201, body: '{"id": 1}' });
    const error = await thrown(() =>
      fx.client().submitContainer(new Uint8Array([1]), { mode: 'full' }),
    );
    expect(error).toBeInstanceOf(OzTransportError);
    expect(error).toMatchObject({ reason: 'bad-response', status: 201 });
  });

  it('refuses a session token answer without session_token', async () => {
    await fx.sandbox.control.injectFault({ kind: 'status', status: 200, body: '{"token": "x"}' });
    expect(await thrown(() => fx.client().sessionToken())).toMatchObject({
      reason: 'bad-response',
    });
  });

  it('lookup by transaction: reads a paginated page, ignores other transactions, takes the newest', async () => {
    const folder = (id: string, tx: string, created: string) => ({
      folder_id: id,
      time_created: created,
      meta_data: { transaction_id: tx },
      resolution_status: 'FINISHED',
      system_resolution: 'SUCCESS',
    });
    const page = {
      count: 3,
      results: [
        folder('older', 'tx-1', '2024-01-01T00:00:00Z'),
        folder('foreign', 'tx-2', '2024-06-01T00:00:00Z'),
        folder('newer', 'tx-1', '2024-03-01T00:00:00Z'),
      ],
    };
    await fx.sandbox.control.injectFault({
      kind: 'status',
      status: 200,
      body: JSON.stringify(page),
    });
    const found = await fx.client().findFolderByTransaction('tx-1');
    expect(found?.folderId).toBe('newer');

    await fx.sandbox.control.injectFault({
      kind: 'status',
      status: 200,
      body: JSON.stringify([folder('foreign', 'tx-2', '2024-06-01T00:00:00Z')]),
    });
    expect(await fx.client().findFolderByTransaction('tx-1')).toBeNull();

    const query = (await fx.sandbox.control.requests()).map((r) => r.query);
    expect(new URLSearchParams(query[0]).get('meta_data')).toBe('transaction_id==tx-1');
  });

  it('validates ids before calling Oz', async () => {
    const client = fx.client();
    await expect(client.getFolder('')).rejects.toThrow(TypeError);
    await expect(client.findFolderByTransaction('  ')).rejects.toThrow(TypeError);
    expect(await fx.sandbox.control.requests()).toEqual([]);
  });
});
