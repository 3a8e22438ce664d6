import type { OzFolder } from '@oz-liveness/oz-client';
import { type Decision, decide } from './decision.js';
import { type ReceiptSecret, signReceipt } from './receipt.js';

/** One analysis of the folder, as the schema's `Analysis`. */
export interface AnalysisSummary {
  id: string;
  type: string;
  resolutionStatus: string;
}

/** The schema's `LivenessResult`; plain JSON so any `ResultStore` can keep it. */
export interface LivenessResult {
  transactionId: string;
  folderId: string;
  resolutionStatus: string;
  systemResolution: string;
  decision: Decision;
  analyses: AnalysisSummary[];
  receipt: string;
}

/** Maps an Oz folder to the result the client sees, signing its receipt. */
export async function toLivenessResult(
  transactionId: string,
  folder: OzFolder,
  receipt: { secret: ReceiptSecret; expiresAt: number; bnd: string | undefined },
): Promise<LivenessResult> {
  const decision = decide(folder.resolutionStatus, folder.systemResolution);
  return {
    transactionId,
    folderId: folder.folderId,
    resolutionStatus: folder.resolutionStatus,
    systemResolution: folder.systemResolution,
    decision,
    analyses: folder.analyses.map((a) => ({
      id: a.id,
      type: a.type,
      resolutionStatus: a.resolutionStatus,
    })),
    receipt: await signReceipt(
      {
        tid: transactionId,
        fid: folder.folderId,
        decision,
        rs: folder.resolutionStatus,
        sr: folder.systemResolution,
        bnd: receipt.bnd,
      },
      receipt.secret,
      { expiresAt: receipt.expiresAt },
    ),
  };
}
