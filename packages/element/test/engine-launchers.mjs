import { firefoxLaunchOptions } from '@oz-liveness/sandbox/firefox';
import { startWebKitDriver, webKitCapabilities } from '@oz-liveness/sandbox/webkit';
import { chromeLauncher } from '@web/test-runner-chrome';
import { WebdriverLauncher } from '@web/test-runner-webdriver';

/** Debian's firefox-esr through puppeteer-core over WebDriver BiDi, with a fake camera. */
export function firefoxLauncher() {
  const launcher = chromeLauncher({ launchOptions: firefoxLaunchOptions() });
  // It names itself after Chrome when given no puppeteer of its own.
  launcher.name = 'Firefox';
  return launcher;
}

/**
 * WebKitGTK's MiniBrowser through WebKitWebDriver on a private Xvfb display, both started when
 * the run needs the browser and stopped with it.
 */
class WebKitLauncher extends WebdriverLauncher {
  #driver;

  constructor() {
    super({ capabilities: webKitCapabilities(), logLevel: 'error' });
  }

  async initialize(config, testFiles) {
    await super.initialize(config, testFiles);
    this.name = 'WebKit';
  }

  async createDriverManager() {
    this.#driver ??= await startWebKitDriver();
    Object.assign(this.options, { hostname: this.#driver.hostname, port: this.#driver.port });
    return super.createDriverManager();
  }

  async stop() {
    await super.stop();
    await this.#driver?.close();
    this.#driver = undefined;
  }
}

export function webkitLauncher() {
  return new WebKitLauncher();
}
