import { chromiumArgs, chromiumPath } from '@oz-liveness/sandbox/chromium';
import { chromeLauncher } from '@web/test-runner-chrome';
import { baseConfig } from './test/wtr-base.mjs';

// The machine's Chromium (never a downloaded one), headless, with a fake camera that is
// granted without a prompt: the same launch as every other browser test in the repo.
const chromium = chromeLauncher({
  launchOptions: { executablePath: chromiumPath(), headless: true, args: chromiumArgs() },
});

export default { ...baseConfig, browsers: [chromium] };
