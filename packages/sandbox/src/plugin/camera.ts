import { PluginErrorCode } from './types.js';

/** A camera failure already mapped to the code `on_error` reports. */
export class CameraError extends Error {
  constructor(
    readonly code: PluginErrorCode,
    message: string,
    readonly context: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'CameraError';
  }
}

/** Front camera, modest resolution: the clip only has to exist and stay far below Oz's 10 MB. */
const constraints: MediaStreamConstraints = {
  audio: false,
  video: { facingMode: 'user', width: { ideal: 640 }, height: { ideal: 480 } },
};

export async function openCamera(): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia) {
    const secure = window.isSecureContext;
    throw new CameraError(
      PluginErrorCode.CAMERA_NOT_FOUND,
      secure
        ? 'this browser has no camera API (navigator.mediaDevices.getUserMedia)'
        : 'the camera needs a secure context (https, or http on localhost/127.0.0.1)',
      { reason: secure ? 'no-media-devices' : 'insecure-context' },
    );
  }
  try {
    return await navigator.mediaDevices.getUserMedia(constraints);
  } catch (error) {
    throw toCameraError(error);
  }
}

export function stopCamera(stream: MediaStream | null): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

function toCameraError(error: unknown): CameraError {
  const name = error instanceof Error ? error.name : 'UnknownError';
  const detail = error instanceof Error ? error.message : String(error);
  const context = { name, detail };
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError': // pre-standard name, still thrown by old WebViews
    case 'SecurityError':
      return new CameraError(PluginErrorCode.CAMERA_DENIED, 'camera access was refused', context);
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return new CameraError(PluginErrorCode.CAMERA_NOT_FOUND, 'no usable camera found', context);
    default:
      // NotReadableError (camera busy), AbortError and the like: the camera exists but failed.
      return new CameraError(PluginErrorCode.CAPTURE_FAILED, 'the camera could not start', context);
  }
}
