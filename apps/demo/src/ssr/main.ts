// Lit's hydration support must be evaluated before Lit itself: this import comes first.
import '@oz-liveness/element/hydrate';
import '../shared/demo.css';
import { describeVerdict, formatProgress, postSignup } from '../shared/signup-client.js';

// The element arrived rendered, with its binding: the page only follows its events.
const form = document.querySelector<HTMLFormElement>('#signup')!;
const check = form.querySelector('oz-liveness-check')!;
const field = (id: string) => form.querySelector<HTMLElement>(`[data-testid="${id}"]`)!;

check.addEventListener('oz-liveness-state', (event) => {
  field('state').textContent = event.detail.state;
  if (event.detail.state === 'preparing') showDecision('–');
});
check.addEventListener('oz-liveness-progress', (event) => {
  field('progress').textContent = formatProgress(event.detail);
});
check.addEventListener('oz-liveness-result', (event) => {
  showDecision(event.detail.result.decision);
});
check.addEventListener('oz-liveness-error', (event) => {
  field('error').textContent = `${event.detail.code}: ${event.detail.message}`;
  field('error').hidden = false;
});

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const verdict = await postSignup(form);
  field('server-verdict').textContent = describeVerdict(verdict);
  field('server-verdict').dataset.ok = String(verdict.ok);
});

function showDecision(decision: string): void {
  field('decision').textContent = decision;
  field('decision').dataset.decision = decision;
  field('error').hidden = true;
}
