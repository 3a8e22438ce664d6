import type { SessionTokenPayload } from '../liveness-service.js';
import { livenessContext } from './context.js';

/** `Query.sessionToken`. */
export async function sessionTokenResolver(
  _parent: unknown,
  _args: unknown,
  context: unknown,
): Promise<SessionTokenPayload> {
  const ctx = livenessContext(context);
  return ctx.service.issueSessionToken(ctx);
}
