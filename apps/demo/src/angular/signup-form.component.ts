import '@oz-liveness/element/define';
import { Component, CUSTOM_ELEMENTS_SCHEMA, type OnInit, signal } from '@angular/core';
import {
  describeVerdict,
  fetchBinding,
  formatProgress,
  postSignup,
  type SignupVerdict,
} from '../shared/signup-client.js';

@Component({
  selector: 'demo-signup-form',
  // Lets Angular accept <oz-liveness-check> and its attributes without knowing the element.
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  template: `
    <form class="signup" (submit)="submit($event)">
      <label class="field">
        <span class="field-label">Full name</span>
        <input type="text" name="name" required autocomplete="name" />
      </label>
      <div class="field">
        <span class="field-label">Liveness check</span>
        <oz-liveness-check
          name="liveness"
          required
          endpoint="/graphql"
          plugin-src="/oz-plugin/plugin_liveness.php"
          [binding]="binding() ?? ''"
          [disabled]="!binding()"
          (oz-liveness-state)="onState($event)"
          (oz-liveness-progress)="progress.set($event.detail)"
          (oz-liveness-result)="onResult($event)"
          (oz-liveness-error)="error.set($event.detail.code + ': ' + $event.detail.message)"
        ></oz-liveness-check>
      </div>
      <dl class="status">
        <div><dt>State</dt><dd data-testid="state">{{ state() }}</dd></div>
        <div><dt>Upload</dt><dd data-testid="progress">{{ formatProgress(progress()) || '–' }}</dd></div>
        <div>
          <dt>Decision</dt>
          <dd>
            <span class="decision" data-testid="decision" [attr.data-decision]="decision()">{{ decision() ?? '–' }}</span>
          </dd>
        </div>
        @if (error(); as message) {
          <p class="status-error" data-testid="error" role="alert">{{ message }}</p>
        }
      </dl>
      <button class="submit" type="submit">Create account</button>
      <p class="verdict" data-testid="server-verdict" role="status" [attr.data-ok]="verdict()?.ok">
        {{ verdictText() }}
      </p>
    </form>
  `,
})
export class SignupFormComponent implements OnInit {
  protected readonly state = signal('idle');
  protected readonly progress = signal<{ loaded: number; total: number } | null>(null);
  protected readonly decision = signal<string | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly verdict = signal<SignupVerdict | null>(null);
  protected readonly formatProgress = formatProgress;
  protected readonly binding = signal<string | null>(null);

  // The receipt counts only in this sign-up session: the check is enabled once it has the binding.
  ngOnInit(): void {
    fetchBinding().then(
      (value) => this.binding.set(value),
      (failure: Error) => this.error.set(failure.message),
    );
  }

  protected onState(event: HTMLElementEventMap['oz-liveness-state']): void {
    this.state.set(event.detail.state);
    if (event.detail.state === 'preparing') this.decision.set(null);
  }

  protected onResult(event: HTMLElementEventMap['oz-liveness-result']): void {
    this.decision.set(event.detail.result.decision);
    this.error.set(null);
  }

  // The browser only fires submit once the required check is ACCEPT.
  protected async submit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    this.verdict.set(await postSignup(event.target as HTMLFormElement));
  }

  protected verdictText(): string {
    const verdict = this.verdict();
    return verdict ? describeVerdict(verdict) : '';
  }
}
