import { Router } from 'express';
import type { OzLivenessService, Readiness } from '../liveness-service.js';
import type { GatewayMetrics } from '../metrics.js';

/** How long a readiness answer is reused, so probes do not become Oz traffic. */
const READINESS_CACHE_MS = 2_000;

/** `/healthz` (process up), `/readyz` (Oz reachable, auth good), `/metrics` (Prometheus). */
export function healthRoutes(service: OzLivenessService, metrics: GatewayMetrics): Router {
  const router = Router();
  let cached: { at: number; value: Promise<Readiness> } | undefined;

  router.get('/healthz', (_req, res) => {
    res.set('cache-control', 'no-store').json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    if (!cached || Date.now() - cached.at > READINESS_CACHE_MS || service.draining) {
      cached = { at: Date.now(), value: service.readiness() };
    }
    const readiness = await cached.value;
    res
      .set('cache-control', 'no-store')
      .status(readiness.ready ? 200 : 503)
      .json(
        readiness.ready ? { status: 'ready' } : { status: 'unready', reason: readiness.reason },
      );
  });

  router.get('/metrics', async (_req, res) => {
    res.set('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  return router;
}
