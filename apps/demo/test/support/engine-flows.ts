import { expect } from 'vitest';
import { capture, type EnginePage, formIsValid, textOf, waitForText } from './engines.js';

/**
 * Name → capture (genuine) → ACCEPT in the framework's own state → submit → the server's
 * verdict; `atAccept` looks at the page at ACCEPT. Returns the form's receipt to verify.
 */
export async function signUpWithAccept(
  page: EnginePage,
  name: string,
  atAccept?: () => Promise<void>,
): Promise<string> {
  await page.type('input[name="name"]', name);
  expect(await textOf(page, 'decision')).toBe('–');
  await capture(page, 'genuine');
  await waitForText(page, 'decision', /^ACCEPT$/);
  await atAccept?.();
  expect(await textOf(page, 'state')).toBe('done');
  expect(await textOf(page, 'progress')).toBe('100%');
  expect(await formIsValid(page)).toBe(true);
  const receipt = await page.run<string>(
    'return String(new FormData(document.querySelector("form")).get("liveness"))',
  );
  await page.click('button.submit');
  await waitForText(page, 'server-verdict', new RegExp(`${name} passed`));
  return receipt;
}

/** spoof → REJECT: the element keeps the form invalid, so submitting sends nothing. */
export async function rejectBlocksSubmit(page: EnginePage): Promise<void> {
  await page.type('input[name="name"]', 'Mallory');
  await capture(page, 'spoof');
  await waitForText(page, 'decision', /^REJECT$/);
  expect(await formIsValid(page)).toBe(false);
  await page.click('button.submit');
  expect(await textOf(page, 'server-verdict')).toBe('');
}

/** The element's CAMERA_DENIED, as the page shows it, before any token is spent. */
export async function cameraDenied(page: EnginePage): Promise<void> {
  await page.click('oz-liveness-check >>> button');
  await waitForText(page, 'error', /^CAMERA_DENIED: /);
  expect(await textOf(page, 'state')).toBe('error');
  expect(await formIsValid(page)).toBe(false);
}
