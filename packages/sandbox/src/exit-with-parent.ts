/**
 * Preload (`node --import`) for Node processes started by tests: exit once the parent that
 * started this process is gone (the process is then re-parented, so `ppid` changes).
 */
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(70);
}, 1_000).unref();
