import { LivenessError } from './errors.js';

/** What the pre-flight looks at; the real browser by default, a stand-in in tests. */
export interface PreflightEnvironment {
  isSecureContext: boolean;
  mediaDevices?: Pick<MediaDevices, 'getUserMedia' | 'enumerateDevices'> | undefined;
  permissions?: Pick<Permissions, 'query'> | undefined;
}

function browserEnvironment(): PreflightEnvironment {
  return {
    isSecureContext: globalThis.isSecureContext,
    mediaDevices: globalThis.navigator?.mediaDevices,
    permissions: globalThis.navigator?.permissions,
  };
}

/**
 * Fails fast, before any token is spent or plugin opened, for what would surely fail later:
 * no secure context, no camera API, a camera the person already refused, no camera at all.
 */
export async function preflight(env: PreflightEnvironment = browserEnvironment()): Promise<void> {
  if (!env.isSecureContext) {
    throw new LivenessError('INSECURE_CONTEXT', 'the camera needs a secure context (https)');
  }
  if (typeof env.mediaDevices?.getUserMedia !== 'function') {
    throw new LivenessError(
      'UNSUPPORTED_BROWSER',
      'navigator.mediaDevices.getUserMedia is missing',
    );
  }
  try {
    const status = await env.permissions?.query({ name: 'camera' as PermissionName });
    if (status?.state === 'denied') {
      throw new LivenessError('CAMERA_DENIED', 'camera permission is denied for this site');
    }
  } catch (error) {
    // Browsers that cannot query 'camera' (Firefox) throw a TypeError: let the plugin find out.
    if (error instanceof LivenessError) throw error;
  }
  let devices: MediaDeviceInfo[] = [];
  try {
    devices = (await env.mediaDevices.enumerateDevices?.()) ?? [];
  } catch {
    // Not enumerable here: the plugin will report a missing camera itself.
  }
  // An empty list means "not allowed to tell yet" (Safari before permission), not "no camera".
  if (devices.length > 0 && !devices.some((device) => device.kind === 'videoinput')) {
    throw new LivenessError('CAMERA_NOT_FOUND', 'no camera is connected');
  }
}
