export type {
  CaptureEngine,
  CaptureRequest,
  CaptureResult,
  OzPluginEngine,
} from './capture-engine.js';
export {
  ErrorCode,
  LivenessError,
  type LivenessErrorDetail,
  type RetryHint,
} from './errors.js';
export * from './events.js';
export { OzLivenessCheck } from './liveness-check.js';
export type { LivenessStrings, SupportedLanguage } from './strings/index.js';
export { matchLanguage, supportedLanguages } from './strings/index.js';
export type {
  Decision,
  LivenessAnalysis,
  LivenessResult,
  LivenessState,
  SessionToken,
} from './types.js';
