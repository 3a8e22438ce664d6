import { baseConfig } from './wtr-base.mjs';

/**
 * The element's tests beyond Chromium, one engine per run (web-test-runner.firefox.config.mjs,
 * web-test-runner.webkit.config.mjs): the servers are shared, so two engines at once would race
 * for them. `pnpm test:full` runs them (every file but *.chromium.test.ts); in `pnpm test` the
 * engines meet the element on apps/demo's /vanilla/ page instead (engines.e2e.test.ts), which
 * costs one browser start per engine, not two.
 */
export function engineConfig(browser) {
  return {
    ...baseConfig,
    // Every file but those that drive Chromium through CDP (*.chromium.test.ts).
    files: ['src/**/*.test.ts', '!src/**/*.chromium.test.ts'],
    browsers: [browser],
  };
}
