import '@oz-liveness/element/define';
import type {} from '@oz-liveness/element/types/react';
import { type FormEvent, useEffect, useState } from 'react';
import {
  describeVerdict,
  fetchBinding,
  formatProgress,
  postSignup,
  type SignupVerdict,
} from '../shared/signup-client.js';

export function SignupForm() {
  const [state, setState] = useState('idle');
  const [progress, setProgress] = useState<{ loaded: number; total: number } | null>(null);
  const [decision, setDecision] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [verdict, setVerdict] = useState<SignupVerdict | null>(null);
  const [binding, setBinding] = useState<string | null>(null);

  // The receipt counts only in this sign-up session: the check is enabled once it has the binding.
  useEffect(() => {
    fetchBinding().then(setBinding, (failure: Error) => setError(failure.message));
  }, []);

  // The browser only fires submit once the required check is ACCEPT.
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setVerdict(await postSignup(event.currentTarget));
  }

  return (
    <form className="signup" onSubmit={submit}>
      <label className="field">
        <span className="field-label">Full name</span>
        <input type="text" name="name" required autoComplete="name" />
      </label>
      <div className="field">
        <span className="field-label">Liveness check</span>
        <oz-liveness-check
          name="liveness"
          required
          endpoint="/graphql"
          plugin-src="/oz-plugin/plugin_liveness.php"
          binding={binding ?? undefined}
          disabled={!binding}
          onoz-liveness-state={(event) => {
            setState(event.detail.state);
            if (event.detail.state === 'preparing') setDecision(null);
          }}
          onoz-liveness-progress={(event) => setProgress(event.detail)}
          onoz-liveness-result={(event) => {
            setDecision(event.detail.result.decision);
            setError(null);
          }}
          onoz-liveness-error={(event) => setError(`${event.detail.code}: ${event.detail.message}`)}
        />
      </div>
      <dl className="status">
        <div>
          <dt>State</dt>
          <dd data-testid="state">{state}</dd>
        </div>
        <div>
          <dt>Upload</dt>
          <dd data-testid="progress">{formatProgress(progress) || '–'}</dd>
        </div>
        <div>
          <dt>Decision</dt>
          <dd>
            <span className="decision" data-testid="decision" data-decision={decision ?? undefined}>
              {decision ?? '–'}
            </span>
          </dd>
        </div>
        {error && (
          <p className="status-error" data-testid="error" role="alert">
            {error}
          </p>
        )}
      </dl>
      <button className="submit" type="submit">
        Create account
      </button>
      <p
        className="verdict"
        data-testid="server-verdict"
        role="status"
        data-ok={verdict ? String(verdict.ok) : undefined}
      >
        {verdict && describeVerdict(verdict)}
      </p>
    </form>
  );
}
