import { type Browser, chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const BASE_FLAGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const FAKE_CAMERA = '--use-fake-device-for-media-stream';
/** Auto-accepts the camera permission prompt; without it headless Chromium denies it. */
const FAKE_UI = '--use-fake-ui-for-media-stream';

/** Chromium with a fake camera; `cameraAllowed: false` makes every camera request fail as denied. */
export function launchChromium({ cameraAllowed = true } = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [...BASE_FLAGS, FAKE_CAMERA, ...(cameraAllowed ? [FAKE_UI] : [])],
  });
}
