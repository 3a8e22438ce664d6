/** The verdict an app acts on, derived only from Oz's two folder-level fields. */
export const Decision = {
  ACCEPT: 'ACCEPT',
  REJECT: 'REJECT',
  REVIEW: 'REVIEW',
  RETRY: 'RETRY',
} as const;
export type Decision = (typeof Decision)[keyof typeof Decision];

/**
 * CONTRACT.md's decision table. Per-analysis verdicts are deliberately ignored: the Oz guide
 * says to decide on the folder's resolution only.
 */
export function decide(resolutionStatus: string, systemResolution: string): Decision {
  if (resolutionStatus !== 'FINISHED') return Decision.RETRY;
  switch (systemResolution) {
    case 'SUCCESS':
      return Decision.ACCEPT;
    case 'DECLINED':
      return Decision.REJECT;
    case 'OPERATOR_REQUIRED':
      return Decision.REVIEW;
    default:
      return Decision.RETRY;
  }
}
