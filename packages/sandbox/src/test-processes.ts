import type { ChildProcess } from 'node:child_process';

/**
 * Child processes that tests start (gateways, redis-server, the start script) must not outlive
 * the test run, pass or fail. Tests stop them in their own teardown; these are the nets under
 * that: a kill when the test process exits with children still running (a failed wait, an
 * assertion before the teardown registered them), and for Node children a preload that ends
 * them when their parent is gone (a test worker killed outright runs no exit handler).
 */
const running = new Set<ChildProcess>();

function killRunning(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** Registers `child` to be SIGKILLed if it is still running when this process exits. */
export function killOnExit<T extends ChildProcess>(child: T): T {
  if (running.size === 0) process.once('exit', killRunning);
  running.add(child);
  child.once('exit', () => {
    running.delete(child);
    if (running.size === 0) process.off('exit', killRunning);
  });
  return child;
}

/**
 * `node --import <this> script.js`: the child exits when its parent process is gone. Node has no
 * parent-death signal, so the preload watches for the re-parenting that follows (once a second,
 * on an unref'd timer that never keeps the child alive).
 */
export const EXIT_WITH_PARENT = new URL('./exit-with-parent.js', import.meta.url).href;
