export { UnsupportedAuthOperationError } from './auth/auth-strategy.js';
export {
  OzApiError,
  OzAuthError,
  OzTransportError,
  type OzTransportReason,
} from './errors.js';
export { OzClient } from './oz-client.js';
export type {
  CallOptions,
  ContainerBody,
  OzAnalysis,
  OzAuthOptions,
  OzAuthTokens,
  OzClientOptions,
  OzFolder,
  OzOperation,
  OzUpstreamCallEvent,
  SubmitOptions,
} from './types.js';
