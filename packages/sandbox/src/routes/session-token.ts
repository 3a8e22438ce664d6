import { json } from '../http/api-response.js';
import { type ApiHandler, requireAccessToken } from './api-request.js';

/** `GET /api/authorize/session_token`: a fresh single-use token for one capture. */
export const sessionToken: ApiHandler = (req, state) => {
  const denied = requireAccessToken(req, state);
  if (denied) return denied;
  return json(200, { session_token: state.sessionTokens.issue().token });
};
