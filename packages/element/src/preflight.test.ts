import { expect } from '@open-wc/testing';
import type { LivenessError } from './errors.js';
import { type PreflightEnvironment, preflight } from './preflight.js';

const camera = { kind: 'videoinput' } as MediaDeviceInfo;
const microphone = { kind: 'audioinput' } as MediaDeviceInfo;

function env(
  overrides: Partial<PreflightEnvironment> & {
    devices?: MediaDeviceInfo[];
    permission?: PermissionState | Error;
  } = {},
): PreflightEnvironment {
  const { devices = [camera], permission = 'prompt', ...rest } = overrides;
  return {
    isSecureContext: true,
    mediaDevices: {
      getUserMedia: () => Promise.reject(new Error('not called')),
      enumerateDevices: async () => devices,
    },
    permissions: {
      query: async () => {
        if (permission instanceof Error) throw permission;
        return { state: permission } as PermissionStatus;
      },
    },
    ...rest,
  };
}
const codeOf = (p: Promise<void>) =>
  p.then(
    () => 'ok',
    (e: LivenessError) => e.code,
  );

describe('preflight', () => {
  it('passes in this browser (secure localhost, fake camera)', async () => {
    expect(await codeOf(preflight())).to.equal('ok');
  });

  it('names what would fail later', async () => {
    expect(await codeOf(preflight(env({ isSecureContext: false })))).to.equal('INSECURE_CONTEXT');
    expect(await codeOf(preflight(env({ mediaDevices: undefined })))).to.equal(
      'UNSUPPORTED_BROWSER',
    );
    expect(await codeOf(preflight(env({ permission: 'denied' })))).to.equal('CAMERA_DENIED');
    expect(await codeOf(preflight(env({ devices: [microphone] })))).to.equal('CAMERA_NOT_FOUND');
  });

  it('does not guess: no query support, or devices hidden before permission, pass', async () => {
    expect(
      await codeOf(
        preflight(env({ permission: new TypeError('camera is not a permission name') })),
      ),
    ).to.equal('ok');
    expect(await codeOf(preflight(env({ devices: [] })))).to.equal('ok');
    expect(await codeOf(preflight(env({ permissions: undefined })))).to.equal('ok');
  });
});
