import type { RequestHandler } from 'express';

/**
 * Runs `handlers` in order as one Express handler. Express's router spends a layer lookup (path
 * match, parameter pass, prefix trim) on every handler of every request; a fixed chain that
 * every request of a route goes through needs none of that. Errors, thrown or rejected, go to
 * the app's error handler as they would from separate layers.
 */
export function handlerChain(handlers: readonly RequestHandler[]): RequestHandler {
  if (handlers.length === 1 && handlers[0]) return handlers[0];
  return (req, res, next) => {
    let index = 0;
    const step = (error?: unknown): void => {
      if (error !== undefined && error !== null) {
        next(error);
        return;
      }
      const handler = handlers[index++];
      if (!handler) {
        next();
        return;
      }
      try {
        const result: unknown = handler(req, res, step);
        if (result instanceof Promise) result.catch(next);
      } catch (thrown) {
        next(thrown);
      }
    };
    step();
  };
}
