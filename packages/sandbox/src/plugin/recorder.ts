import { FRAMES_MIME_TYPE, recordFrames } from './frame-recorder.js';
import { PluginErrorCode } from './types.js';

/** A recorded clip, ready to go into the container. */
export interface Clip {
  bytes: Uint8Array;
  type: string;
  startedAt: Date;
}

/** Recording could not produce a clip; `on_error` reports it as CAPTURE_FAILED. */
export class RecorderError extends Error {
  readonly code = PluginErrorCode.CAPTURE_FAILED;
  constructor(
    message: string,
    readonly context: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'RecorderError';
  }
}

/** Oz liveness video is at most 5 s; the stand-in needs only enough to be a real clip. */
export const CLIP_DURATION_MS = 1500;

/** The clip length the sandbox serving this script asked for (its `clipDurationMs`), else 1.5 s. */
export function configuredClipMs(): number {
  const config = (globalThis as { OzSandboxConfig?: { clipDurationMs?: unknown } }).OzSandboxConfig;
  const ms = config?.clipDurationMs;
  return typeof ms === 'number' && ms > 0 ? ms : CLIP_DURATION_MS;
}

/** Safety net: some browsers never fire `stop` when the track dies mid-recording. */
const STOP_GRACE_MS = 5000;

/** Preferred first: WebM where it exists (Chromium, Firefox), MP4 for Safari. */
const MIME_CANDIDATES = [
  'video/webm;codecs=vp9',
  'video/webm;codecs=vp8',
  'video/webm',
  'video/mp4;codecs=avc1',
  'video/mp4',
];

export function pickMimeType(): string | undefined {
  if (typeof MediaRecorder.isTypeSupported !== 'function') return undefined;
  return MIME_CANDIDATES.find((type) => MediaRecorder.isTypeSupported(type));
}

/**
 * Records `durationMs` of `stream`. Rejects with a {@link RecorderError}, or with the signal's
 * reason when aborted (the recorder is stopped and its data dropped).
 *
 * The clip is whatever the recorder delivered by its `stop` event, in one or many
 * `dataavailable` chunks: Safari's MP4 recorder may deliver everything at `stop()` only, so no
 * `timeslice` and no `requestData()` is relied on. A recorder that ends with no bytes at all gets
 * a second chance through still frames ({@link recordFrames}), because WebKitGTK on GStreamer
 * older than 1.24 claims MP4 support but records nothing and reports no error.
 */
export async function recordClip(
  stream: MediaStream,
  signal: AbortSignal,
  durationMs = configuredClipMs(),
): Promise<Clip> {
  const recorded = await recordWithMediaRecorder(stream, signal, durationMs);
  if (recorded.bytes.byteLength > 0) return recorded;
  const startedAt = new Date();
  let frames: Uint8Array;
  try {
    frames = await recordFrames(stream, signal, durationMs);
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw new RecorderError('the recorder produced an empty clip', {
      ...describe(error, recorded.type),
      fallback: FRAMES_MIME_TYPE,
    });
  }
  if (frames.byteLength > 0) return { bytes: frames, type: FRAMES_MIME_TYPE, startedAt };
  throw new RecorderError('the recorder produced an empty clip', {
    mimeType: recorded.type,
    fallback: FRAMES_MIME_TYPE,
  });
}

/** The MediaRecorder's clip; `bytes` is empty when the recorder stopped without delivering any. */
function recordWithMediaRecorder(
  stream: MediaStream,
  signal: AbortSignal,
  durationMs: number,
): Promise<Clip> {
  return new Promise<Clip>((resolve, reject) => {
    if (typeof MediaRecorder === 'undefined') {
      reject(new RecorderError('this browser cannot record video (no MediaRecorder)', {}));
      return;
    }
    const mimeType = pickMimeType();
    let recorder: MediaRecorder;
    try {
      recorder = new MediaRecorder(stream, mimeType ? { mimeType } : undefined);
    } catch (error) {
      reject(new RecorderError('the video recorder could not start', describe(error, mimeType)));
      return;
    }

    const chunks: Blob[] = [];
    const startedAt = new Date();
    let settled = false;
    let stopTimer: ReturnType<typeof setTimeout> | undefined;
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(stopTimer);
      clearTimeout(graceTimer);
      signal.removeEventListener('abort', onAbort);
      if (recorder.state !== 'inactive') recorder.stop();
      action();
    };
    const onAbort = () => settle(() => reject(signal.reason));

    recorder.addEventListener('dataavailable', (event) => {
      if (event.data.size > 0) chunks.push(event.data);
    });
    recorder.addEventListener('error', (event) => {
      const error = (event as Event & { error?: unknown }).error;
      settle(() =>
        reject(new RecorderError('the video recorder failed', describe(error, mimeType))),
      );
    });
    recorder.addEventListener('stop', () => {
      if (settled) return;
      const type = recorder.mimeType || mimeType || 'video/webm';
      const blob = new Blob(chunks, { type });
      blob.arrayBuffer().then(
        (buffer) => settle(() => resolve({ bytes: new Uint8Array(buffer), type, startedAt })),
        (error) =>
          settle(() =>
            reject(new RecorderError('the clip could not be read', describe(error, type))),
          ),
      );
    });

    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort);
    try {
      recorder.start();
    } catch (error) {
      settle(() =>
        reject(new RecorderError('the video recorder could not start', describe(error, mimeType))),
      );
      return;
    }
    stopTimer = setTimeout(() => {
      if (recorder.state !== 'inactive') recorder.stop();
      graceTimer = setTimeout(
        () =>
          settle(() => reject(new RecorderError('the video recorder did not stop', { mimeType }))),
        STOP_GRACE_MS,
      );
    }, durationMs);
  });
}

function describe(error: unknown, mimeType: string | undefined): Record<string, unknown> {
  return {
    name: error instanceof Error ? error.name : 'UnknownError',
    detail: error instanceof Error ? error.message : String(error ?? ''),
    mimeType: mimeType ?? null,
  };
}
