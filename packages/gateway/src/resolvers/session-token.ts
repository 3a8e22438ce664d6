import type { SessionTokenPayload } from '../liveness-service.js';
import { livenessContext } from './context.js';

/** `Query.sessionToken(binding: String)`. */
export async function sessionTokenResolver(
  _parent: unknown,
  args: { binding?: string | null },
  context: unknown,
): Promise<SessionTokenPayload> {
  const ctx = livenessContext(context);
  return ctx.service.issueSessionToken(ctx, args.binding);
}
