import { chromiumArgs, chromiumPath } from '@oz-liveness/sandbox/chromium';
import { type Browser, chromium } from 'playwright-core';

/** Chromium with a fake camera; `cameraAllowed: false` makes every camera request fail as denied. */
export function launchChromium({ cameraAllowed = true } = {}): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: chromiumArgs({ cameraAllowed }) });
}
