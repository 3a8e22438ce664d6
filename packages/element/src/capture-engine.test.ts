// The default engine against an in-test window.OzLiveness (the vendor plugin boundary); the
// real sandbox plugin runs in liveness-check.e2e.test.ts.
import { expect } from '@open-wc/testing';
import { OzPluginEngine } from './capture-engine.js';
import type { LivenessError } from './errors.js';
import type { OzLivenessOpenOptions } from './plugin-loader.js';

type PluginWindow = Window & { OzLiveness?: unknown };

function installPlugin() {
  const calls = { open: [] as OzLivenessOpenOptions[], close: 0 };
  (window as PluginWindow).OzLiveness = {
    open: (options: OzLivenessOpenOptions) => calls.open.push(options),
    close: () => calls.close++,
  };
  return calls;
}

const request = (signal = new AbortController().signal) => ({
  sessionToken: 'token-1',
  transactionId: 'tx-1',
  actions: ['video_selfie_blank'],
  lang: 'kk',
  signal,
});

describe('OzPluginEngine', () => {
  let saved: unknown;
  beforeEach(() => {
    saved = (window as PluginWindow).OzLiveness;
  });
  afterEach(() => {
    (window as PluginWindow).OzLiveness = saved;
  });

  it('opens the plugin as FACTS.md describes and resolves with the capsule', async () => {
    const calls = installPlugin();
    const engine = new OzPluginEngine({ pluginSrc: null });
    const capture = engine.capture(request());
    await Promise.resolve();
    await Promise.resolve();
    const options = calls.open[0] as OzLivenessOpenOptions;
    expect(options).to.include({ lang: 'kk', session_token: 'token-1' });
    expect(options.action).to.deep.equal(['video_selfie_blank']);
    expect(options.meta).to.deep.equal({ transaction_id: 'tx-1' });
    const blob = new Blob(['capsule'], { type: 'application/octet-stream' });
    options.on_capture_complete('video_selfie_blank', blob);
    options.on_close(); // closing afterwards changes nothing
    const result = await capture;
    expect(result.capsule).to.equal(blob);
    expect(result.action).to.equal('video_selfie_blank');
  });

  it('maps on_error: camera codes to ours, anything else to CAPTURE_FAILED, vendor code kept', async () => {
    const engine = new OzPluginEngine({ pluginSrc: null });
    for (const [vendor, code] of [
      ['CAMERA_DENIED', 'CAMERA_DENIED'],
      ['CAMERA_NOT_FOUND', 'CAMERA_NOT_FOUND'],
      ['SESSION_TOKEN_MISSING', 'CAPTURE_FAILED'],
      ['SOMETHING_NEW', 'CAPTURE_FAILED'],
    ]) {
      const calls = installPlugin();
      const capture = engine.capture(request());
      await new Promise((r) => setTimeout(r));
      calls.open[0]?.on_error({
        code: vendor,
        message: `because ${vendor}`,
        event_session_id: 'e',
      });
      const error = await capture.catch((e: LivenessError) => e);
      expect(error).to.include({ code, vendorCode: vendor, message: `because ${vendor}` });
    }
  });

  it('rejects with an AbortError when the person closes it, and closes it when aborted', async () => {
    const engine = new OzPluginEngine({ pluginSrc: null });
    let calls = installPlugin();
    const closed = engine.capture(request());
    await new Promise((r) => setTimeout(r));
    calls.open[0]?.on_close();
    expect(((await closed.catch((e: DOMException) => e)) as DOMException).name).to.equal(
      'AbortError',
    );

    calls = installPlugin();
    const abort = new AbortController();
    const aborted = engine.capture(request(abort.signal));
    await new Promise((r) => setTimeout(r));
    abort.abort();
    expect(((await aborted.catch((e: DOMException) => e)) as DOMException).name).to.equal(
      'AbortError',
    );
    expect(calls.close).to.equal(1);
  });
});
