import { baseConfig } from './wtr-base.mjs';

/**
 * The element's tests beyond Chromium, one engine per run (web-test-runner.firefox.config.mjs,
 * web-test-runner.webkit.config.mjs): the servers are shared, so two engines at once would race
 * for them. `pnpm test:full` runs every file; `pnpm test` only src/engine-differences.test.ts
 * (states, form validity, focus, upload progress), through `--files`.
 */
export function engineConfig(browser) {
  return {
    ...baseConfig,
    // Every file but those that drive Chromium through CDP (*.chromium.test.ts).
    files: ['src/**/*.test.ts', '!src/**/*.chromium.test.ts'],
    browsers: [browser],
  };
}
