// Preloaded (`--import`) into gateway processes started with `--expose-gc` by the reliability
// suite: on SIGUSR2 it collects garbage and prints one JSON line with the memory left, so the
// suite can compare memory before and after a run without an endpoint in the product.
process.on('SIGUSR2', () => {
  globalThis.gc?.();
  globalThis.gc?.();
  const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
  process.stdout.write(
    `${JSON.stringify({ memoryProbe: { rss, heapUsed, external, arrayBuffers } })}\n`,
  );
});
