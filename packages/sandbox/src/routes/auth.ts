import type { AuthSession } from '../auth-store.js';
import { json, OzErrorCode, ozError } from '../http/api-response.js';
import type { SandboxState } from '../state.js';
import { type ApiHandler, jsonObjectBody } from './api-request.js';

function tokenPair(session: AuthSession, state: SandboxState) {
  return json(200, {
    access_token: session.accessToken,
    expire_token: session.expireToken,
    expire_date: Math.floor(session.expiresAt / 1000),
    user: {
      user_id: state.userId,
      email: state.options.credentials.email,
      user_type: 'CLIENT',
      company_id: state.companyId,
    },
  });
}

/** `POST /api/authorize/auth/` `{"credentials": {"email", "password"}}`. */
export const login: ApiHandler = (req, state) => {
  const credentials = jsonObjectBody(req)?.credentials as Record<string, unknown> | undefined;
  if (
    !credentials ||
    typeof credentials !== 'object' ||
    typeof credentials.email !== 'string' ||
    typeof credentials.password !== 'string'
  ) {
    return ozError(
      400,
      OzErrorCode.INVALID_STRUCTURE,
      'Expected a JSON body {"credentials": {"email": "…", "password": "…"}}',
    );
  }
  const expected = state.options.credentials;
  // Same answer for an unknown email and a wrong password: no account enumeration.
  if (credentials.email !== expected.email || credentials.password !== expected.password) {
    return ozError(401, OzErrorCode.INVALID_TOKEN, 'Invalid email or password');
  }
  return tokenPair(state.auth.issue(), state);
};

/** `POST /api/authorize/refresh/` `{"expire_token"}` with the current access token in the header. */
export const refresh: ApiHandler = (req, state) => {
  const header = req.headers['x-forensic-access-token'];
  const accessToken = Array.isArray(header) ? header[0] : header;
  if (!accessToken) return ozError(401, OzErrorCode.NO_TOKEN, 'Access token is missing');
  const expireToken = jsonObjectBody(req)?.expire_token;
  if (typeof expireToken !== 'string' || expireToken === '') {
    return ozError(400, OzErrorCode.INVALID_STRUCTURE, 'Field "expire_token" is required');
  }
  const result = state.auth.refresh(accessToken, expireToken);
  if (!result.ok) return ozError(result.status, result.code, result.message);
  return tokenPair(result.session, state);
};
