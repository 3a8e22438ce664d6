/** Violations seen so far; `settled()` resolves once every earlier one has been delivered. */
export interface Violations extends Array<string> {
  settled(): Promise<void>;
}

/**
 * Turns on a Trusted Types policy for the rest of this test page (a `<meta>` CSP applies from the
 * moment it is inserted; each wtr test file has its own page) and records every violation.
 */
export function enforceTrustedTypes(trustedTypesDirective: string): Violations {
  const violations = [] as unknown as Violations;
  let canaries = 0;
  // Violation events arrive in a later task, in order: a canary violation of our own, once seen,
  // proves every earlier one has been delivered. It is taken out of the list again.
  violations.settled = async () => {
    const canary = `canary-${++canaries}`;
    const seen = new Promise<void>((resolve) => {
      const listener = (event: SecurityPolicyViolationEvent) => {
        if (!event.sample.includes(canary)) return;
        document.removeEventListener('securitypolicyviolation', listener, true);
        resolve();
      };
      document.addEventListener('securitypolicyviolation', listener, true);
    });
    try {
      document.createElement('div').innerHTML = canary;
    } catch {
      // Refused, as intended: the violation event is on its way.
    }
    await seen;
    violations.splice(
      violations.findIndex((v) => v.includes(canary)),
      1,
    );
  };
  document.addEventListener(
    'securitypolicyviolation',
    (event) => violations.push(`${event.violatedDirective} ${event.sample}`),
    true,
  );
  const meta = document.createElement('meta');
  meta.httpEquiv = 'Content-Security-Policy';
  meta.content = `require-trusted-types-for 'script'; trusted-types ${trustedTypesDirective}`;
  document.head.append(meta);
  return violations;
}

interface Factory {
  createPolicy(name: string, rules: { createScriptURL(input: string): string | null }): unknown;
}

/** Defines the page's default policy; `decide` answers for every string that reaches a sink. */
export function defineDefaultPolicy(decide: (url: string) => string | null): string[] {
  const asked: string[] = [];
  (window as unknown as { trustedTypes: Factory }).trustedTypes.createPolicy('default', {
    createScriptURL: (url) => {
      asked.push(url);
      return decide(url);
    },
  });
  return asked;
}
