/**
 * How this project's browser tests launch Chromium: the machine's own binary (no tool may
 * download one) with the flags a closed network and a root user need, and a fake camera. One
 * place, so the sandbox, element, demo and bench browsers all start the same way.
 */

/** `CHROMIUM_PATH`, else Debian's `/usr/bin/chromium`. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

const BASE_FLAGS = [
  '--headless=new',
  // Tests run as root (CI), where Chromium's own sandbox cannot start.
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  // The network is closed: background fetches would only fail, many at a time.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ChromiumArgsOptions {
  /**
   * `false` leaves out the flag that auto-accepts the camera prompt, so headless Chromium denies
   * every camera request (a real "camera denied"). Default `true`.
   */
  cameraAllowed?: boolean;
  /** How many fake cameras the machine seems to have; `0` gives a real "no camera". Default 1. */
  cameras?: number;
}

/** Launch arguments: headless, with a fake camera device. */
export function chromiumArgs({
  cameraAllowed = true,
  cameras,
}: ChromiumArgsOptions = {}): string[] {
  const fakeDevice = '--use-fake-device-for-media-stream';
  return [
    ...BASE_FLAGS,
    cameras === undefined ? fakeDevice : `${fakeDevice}=device-count=${cameras}`,
    ...(cameraAllowed ? ['--use-fake-ui-for-media-stream'] : []),
  ];
}
