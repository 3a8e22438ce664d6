import { randomUUID } from 'node:crypto';
import { AuthStore } from './auth-store.js';
import { FaultQueue } from './faults.js';
import { FolderStore } from './folders.js';
import type { ResolvedOptions } from './options.js';
import { OutcomeQueue } from './outcomes.js';
import { RequestLog } from './request-log.js';
import { SessionTokens } from './session-tokens.js';

/** Everything one running sandbox remembers; `reset()` returns it to a fresh start. */
export class SandboxState {
  readonly options: ResolvedOptions;
  readonly auth: AuthStore;
  readonly sessionTokens: SessionTokens;
  readonly folders = new FolderStore();
  readonly outcomes = new OutcomeQueue();
  readonly faults = new FaultQueue();
  readonly log = new RequestLog();
  /** The sandbox account's company, stamped on folders like a real tenant's. */
  readonly companyId = randomUUID();
  readonly userId = randomUUID();

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.auth = new AuthStore(options.accessTokenTtlS);
    this.sessionTokens = new SessionTokens(options.sessionTokenTtlS);
  }

  reset(): void {
    this.auth.clear();
    this.sessionTokens.clear();
    this.folders.clear();
    this.outcomes.clear();
    this.faults.clear();
    this.log.clear();
  }
}
