import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import type { LivenessResult } from '../liveness-result.js';
import { livenessContext } from './context.js';

/** `Mutation.submitCapsule`. The Upload scalar has already turned `capsule` into a promise. */
export async function submitCapsuleResolver(
  _parent: unknown,
  args: { capsule: Promise<FileUpload>; transactionId: string },
  context: unknown,
): Promise<LivenessResult> {
  const ctx = livenessContext(context);
  return ctx.service.submitCapsule(args.capsule, args.transactionId, ctx, context);
}
