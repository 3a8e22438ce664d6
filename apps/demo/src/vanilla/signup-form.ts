import '@oz-liveness/element/define';
import {
  describeVerdict,
  fetchBinding,
  formatProgress,
  postSignup,
} from '../shared/signup-client.js';

const form = document.querySelector<HTMLFormElement>('#signup')!;
const check = form.querySelector('oz-liveness-check')!;
const field = (id: string) => form.querySelector<HTMLElement>(`[data-testid="${id}"]`)!;

// The receipt counts only in this sign-up session: the check is enabled once it has the binding.
fetchBinding().then(
  (binding) => {
    check.binding = binding;
    check.disabled = false;
  },
  (error: Error) => showError(error.message),
);

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
  showError(`${event.detail.code}: ${event.detail.message}`);
});

// The browser only lets the form submit once the required check is ACCEPT.
form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const verdict = await postSignup(form);
  field('server-verdict').textContent = describeVerdict(verdict);
  field('server-verdict').dataset.ok = String(verdict.ok);
});

function showError(message: string): void {
  field('error').textContent = message;
  field('error').hidden = false;
}

function showDecision(decision: string): void {
  field('decision').textContent = decision;
  field('decision').dataset.decision = decision;
  field('error').hidden = true;
}
