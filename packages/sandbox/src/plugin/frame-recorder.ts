/**
 * The clip when the browser's MediaRecorder delivers no bytes: still frames of the camera, drawn
 * through a canvas and kept as JPEGs one after another (Motion JPEG). WebKitGTK 2.50 with
 * GStreamer 1.22 (Debian 12) is such a browser: `isTypeSupported('video/mp4')` is true, `start()`
 * and `stop()` work, but its encoder bin needs GStreamer's `autovideoflip` (1.24+), so every
 * `dataavailable` carries 0 bytes and no `error` event tells why. A canvas works in every engine.
 */
export const FRAMES_MIME_TYPE = 'video/x-motion-jpeg';

/** Enough frames to be a clip, few enough to stay small: one every 100 ms, at most 15. */
const FRAME_INTERVAL_MS = 100;
const MAX_FRAMES = 15;
/** A live camera shows its first frame well within this; a dead one never does. */
const FIRST_FRAME_TIMEOUT_MS = 5000;

/** Frames of `stream` over `durationMs`, concatenated; empty when none could be drawn. */
export async function recordFrames(
  stream: MediaStream,
  signal: AbortSignal,
  durationMs: number,
): Promise<Uint8Array> {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  try {
    await firstFrame(video, signal);
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const context = canvas.getContext('2d');
    if (!context) return new Uint8Array();
    const count = Math.min(MAX_FRAMES, Math.max(1, Math.round(durationMs / FRAME_INTERVAL_MS)));
    const frames: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      if (i > 0) await delay(FRAME_INTERVAL_MS, signal);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const jpeg = await new Promise<Blob | null>((resolve) =>
        canvas.toBlob(resolve, 'image/jpeg', 0.7),
      );
      if (jpeg) frames.push(new Uint8Array(await jpeg.arrayBuffer()));
    }
    return concat(frames);
  } finally {
    video.srcObject = null;
  }
}

function firstFrame(video: HTMLVideoElement, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (settle: () => void) => {
      clearTimeout(timer);
      video.removeEventListener('loadeddata', onData);
      video.removeEventListener('resize', onData);
      signal.removeEventListener('abort', onAbort);
      settle();
    };
    const onData = () => {
      if (video.videoWidth > 0) done(resolve);
    };
    const onAbort = () => done(() => reject(signal.reason));
    const timer = setTimeout(
      () => done(() => reject(new Error('the camera showed no frame'))),
      FIRST_FRAME_TIMEOUT_MS,
    );
    if (signal.aborted) return onAbort();
    video.addEventListener('loadeddata', onData);
    video.addEventListener('resize', onData);
    signal.addEventListener('abort', onAbort);
    video.play().catch(() => undefined);
    onData();
  });
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
