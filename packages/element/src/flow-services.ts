// The flow's heavier half (network, retries, browser checks), loaded on the first start() or
// while idle, so the element itself renders from a smaller first download.
export { GatewayClient } from './gateway-client.js';
export { preflight } from './preflight.js';
export { withRetry } from './retry.js';
