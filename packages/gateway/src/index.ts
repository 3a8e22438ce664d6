export { createApolloServer, QUERY_LIMITS } from './apollo-server.js';
export {
  type GatewayConfig,
  GatewayConfigError,
  type OnResult,
  type OnResultContext,
  type OzAuthConfig,
  type ResolvedConfig,
  resolveConfig,
} from './config.js';
export { createOzLivenessGateway, type OzLivenessGateway } from './create-gateway.js';
export { createOzLiveness, type OzLiveness } from './create-service.js';
export { Decision, decide } from './decision.js';
export { ErrorCode, RetryHint, retryFor } from './errors.js';
export type { AnalysisSummary, LivenessResult } from './liveness-result.js';
export {
  type OzLivenessRequestContext,
  OzLivenessService,
  type Readiness,
  type SessionTokenPayload,
  TRANSACTION_GRACE_S,
} from './liveness-service.js';
export { GatewayMetrics } from './metrics.js';
export {
  missingUploadNodeFlags,
  tuneHeapForUploads,
  UPLOAD_HEAP_GROWING_PERCENT,
  UPLOAD_NODE_FLAGS,
} from './process/tune-heap.js';
export {
  createMemoryRateLimiter,
  fromRateLimiterFlexible,
  type RateLimitDecision,
  type RateLimiter,
} from './rate-limit.js';
export { createRedisRateLimiter, type RedisRateLimiterOptions } from './rate-limit-redis.js';
export {
  bindingHash,
  MemoryReplayStore,
  type MemoryReplayStoreOptions,
  type ReceiptClaims,
  ReceiptError,
  ReceiptErrorCode,
  RedisReplayStore,
  type RedisReplayStoreOptions,
  type ReplayStore,
  ReplayStoreFullError,
  signReceipt,
  type VerifyReceiptOptions,
  verifyReceipt,
} from './receipt.js';
export {
  type RedisAuthOptions,
  type RedisClient,
  type RedisClusterConfig,
  type RedisNodeAddress,
  type RedisOption,
  type RedisSentinelConfig,
  type RedisTopology,
  redisTopology,
} from './redis-connection.js';
export { type OzLivenessContext, resolvers } from './resolvers/index.js';
export { typeDefs, typeDefsSource } from './schema.js';
export { type GatewayServerOptions, type RunningGateway, startGatewayServer } from './server.js';
export { MemoryResultStore, type MemoryResultStoreOptions } from './store/memory-result-store.js';
export {
  RedisResultStore,
  type RedisResultStoreOptions,
  RedisStoreEntryError,
} from './store/redis-result-store.js';
export type { Claim, ResultStore } from './store/result-store.js';
export {
  type OpenedTicket,
  type TicketInput,
  type TicketRefusal,
  TransactionTickets,
} from './transaction-ticket.js';
export {
  createUploadMiddleware,
  type UploadMiddlewareOptions,
} from './upload/upload-middleware.js';
