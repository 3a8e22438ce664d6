import { chromiumArgs, chromiumPath } from '@oz-liveness/sandbox/chromium';
import { type Browser, chromium } from 'playwright-core';

/**
 * Chromium with a fake camera; `cameraAllowed: false` makes every camera request fail as denied,
 * `args` adds launch flags (e.g. `--host-resolver-rules`).
 */
export function launchChromium({
  cameraAllowed = true,
  args = [] as string[],
} = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [...chromiumArgs({ cameraAllowed }), ...args],
  });
}
