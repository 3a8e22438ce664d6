import { trackGc } from './gc-totals.js';
import type { ChildMessage, ParentMessage, ServerConfig, ServerKind } from './server-kinds.js';

/**
 * Child-process entry: `node server-main.js <kind> <config-json>`. Starts one server, reports
 * its URL over IPC, answers stats requests and stops on request or when the parent goes away.
 */
interface Started {
  url: string;
  stats?: () => unknown;
  close(): Promise<void>;
}

async function start(kind: ServerKind, config: ServerConfig): Promise<Started> {
  const upstreamUrl = config.upstreamUrl ?? '';
  switch (kind) {
    case 'upstream': {
      const { startUpstream } = await import('../upstream.js');
      return startUpstream({
        accessToken: config.accessToken,
        ...(config.answerDelayMs ? { answerDelayMs: config.answerDelayMs } : {}),
        ...(config.faultEvery ? { faultEvery: config.faultEvery } : {}),
      });
    }
    case 'bare': {
      const { startBareProxy } = await import('../baselines/bare-proxy.js');
      return startBareProxy({ upstreamUrl });
    }
    case 'spool': {
      const { startSpoolProxy } = await import('../baselines/spool-proxy.js');
      return startSpoolProxy({ upstreamUrl });
    }
    case 'naive': {
      const { startNaiveGateway } = await import('../baselines/naive-gateway.js');
      return startNaiveGateway({ upstreamUrl, accessToken: config.accessToken });
    }
    case 'ours': {
      const { startOurGateway } = await import('../ours-gateway.js');
      return startOurGateway({
        upstreamUrl,
        accessToken: config.accessToken,
        corsOrigins: config.corsOrigins ?? [],
        tracing: config.tracing === true,
        ...(config.maxConcurrentUploads
          ? { maxConcurrentUploads: config.maxConcurrentUploads }
          : {}),
      });
    }
  }
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

const [kind, configJson] = process.argv.slice(2);
const gcTotals = trackGc();
try {
  const server = await start(kind as ServerKind, JSON.parse(configJson ?? '{}') as ServerConfig);
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'stats') send({ type: 'stats', id: message.id, stats: server.stats?.() });
    if (message.type === 'gc') send({ type: 'gc', id: message.id, gc: gcTotals() });
    if (message.type === 'heap') {
      (globalThis as { gc?: () => void }).gc?.();
      send({ type: 'heap', id: message.id, heapUsedBytes: process.memoryUsage().heapUsed });
    }
    if (message.type === 'stop') {
      void server.close().finally(() => process.exit(0));
    }
  });
  // An orphaned server would skew every later measurement on this machine.
  process.on('disconnect', () => process.exit(0));
  send({ type: 'ready', url: server.url });
} catch (error) {
  send({
    type: 'failed',
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
  process.exit(1);
}
