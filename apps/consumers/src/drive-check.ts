import type { Page } from 'playwright-core';

/**
 * Runs one check in `page` as a person would: the enabled element's button, then "genuine" in the
 * sandbox plugin's overlay; resolves to the decision and the app backend's verdict the page
 * shows (`data-testid="decision"` / `"server-verdict"`). A failure names the element's state
 * and the `oz-liveness-error` events it fired.
 */
export async function runCheckToVerdict(page: Page, timeoutMs = 60_000) {
  const check = page.locator('oz-liveness-check:not([disabled])');
  await check.evaluate((el) => {
    const errors: unknown[] = [];
    (window as unknown as { ozErrors: unknown[] }).ozErrors = errors;
    el.addEventListener('oz-liveness-error', (event) => errors.push((event as CustomEvent).detail));
  });
  try {
    await check.locator('button').click();
    await page.locator('#oz-sandbox-overlay [data-outcome="genuine"]').click();
    const verdict = page.locator('[data-testid="server-verdict"]:not(:empty)');
    await verdict.waitFor({ timeout: timeoutMs });
    return {
      decision: await page.locator('[data-testid="decision"]').textContent(),
      serverVerdict: await verdict.textContent(),
    };
  } catch (error) {
    const state = await check.getAttribute('state').catch(() => 'unknown');
    const errors = await page.evaluate(
      () => (window as unknown as { ozErrors: unknown[] }).ozErrors,
    );
    throw new Error(`check in state ${state}, errors ${JSON.stringify(errors)}: ${error}`);
  }
}
