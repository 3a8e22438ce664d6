import type { Request, RequestHandler, Response } from 'express';
import type { OzLivenessService, Readiness } from '../liveness-service.js';
import type { GatewayMetrics } from '../metrics.js';

/** How long a readiness answer is reused, so probes do not become Oz traffic. */
const READINESS_CACHE_MS = 2_000;

/**
 * `/healthz` (process up), `/readyz` (Oz reachable, auth good), `/metrics` (Prometheus), for
 * GET and HEAD; everything else passes on. One plain handler rather than an Express Router:
 * every request of the app goes through it, and a Router costs a layer walk per request.
 */
export function healthRoutes(service: OzLivenessService, metrics: GatewayMetrics): RequestHandler {
  let cached: { at: number; value: Promise<Readiness> } | undefined;

  const healthz = (_req: Request, res: Response) => {
    res.set('cache-control', 'no-store').json({ status: 'ok' });
  };

  const readyz = async (_req: Request, res: Response) => {
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
  };

  const metricsRoute = async (_req: Request, res: Response) => {
    res.set('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  };

  const routes = new Map<string, (req: Request, res: Response) => unknown>([
    ['/healthz', healthz],
    ['/readyz', readyz],
    ['/metrics', metricsRoute],
  ]);

  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    // As Express routes match: any letter case, one optional trailing slash.
    let path = req.path.toLowerCase();
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    const route = routes.get(path);
    if (!route) return next();
    const answered = route(req, res);
    if (answered instanceof Promise) answered.catch(next);
  };
}
