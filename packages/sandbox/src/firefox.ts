/**
 * How this project's browser tests launch Firefox: Debian's `firefox-esr` (no tool downloads
 * one), driven by puppeteer-core over WebDriver BiDi, headless, with Firefox's fake camera.
 */

/** `FIREFOX_PATH`, else Debian's `/usr/bin/firefox-esr`. */
export function firefoxPath(): string {
  return process.env.FIREFOX_PATH || '/usr/bin/firefox-esr';
}

export interface FirefoxPrefsOptions {
  /**
   * `false` blocks the camera for every site (`permissions.default.camera` = 2), as a person who
   * refused it would: `getUserMedia` rejects with `NotAllowedError`. Default `true`: granted
   * without a prompt.
   */
  cameraAllowed?: boolean;
}

/** Preferences: a fake camera, and no background traffic on a closed network. */
export function firefoxPrefs({
  cameraAllowed = true,
}: FirefoxPrefsOptions = {}): Record<string, unknown> {
  return {
    'media.navigator.streams.fake': true,
    'media.navigator.permission.disabled': cameraAllowed,
    ...(cameraAllowed ? {} : { 'permissions.default.camera': 2 }),
    'app.update.enabled': false,
    'browser.safebrowsing.downloads.remote.enabled': false,
    'datareporting.policy.dataSubmissionEnabled': false,
    'network.captive-portal-service.enabled': false,
    'network.connectivity-service.enabled': false,
  };
}

/** Options for puppeteer-core's `launch()`. */
export function firefoxLaunchOptions(options: FirefoxPrefsOptions = {}) {
  return {
    browser: 'firefox' as const,
    executablePath: firefoxPath(),
    headless: true,
    extraPrefsFirefox: firefoxPrefs(options),
  };
}
