import { expect } from '@open-wc/testing';
import { LivenessError } from './errors.js';
import { isTransient, withRetry } from './retry.js';

const fast = { baseDelayMs: 1, maxDelayMs: 4 };

describe('withRetry', () => {
  it('tries three times in all for transient failures, then gives the last error', async () => {
    let attempts = 0;
    const error = await withRetry(async () => {
      attempts++;
      throw new LivenessError('OZ_UNAVAILABLE', `attempt ${attempts}`);
    }, fast).catch((e: LivenessError) => e);
    expect(attempts).to.equal(3);
    expect(error.message).to.equal('attempt 3');
  });

  it('returns as soon as an attempt succeeds', async () => {
    let attempts = 0;
    const value = await withRetry(async () => {
      if (++attempts < 2) throw new LivenessError('NETWORK', 'down');
      return 'ok';
    }, fast);
    expect(value).to.equal('ok');
    expect(attempts).to.equal(2);
  });

  it('never retries CAPTURE or NONE errors, nor foreign errors', async () => {
    for (const error of [
      new LivenessError('CAPSULE_REJECTED', 'bad capsule'),
      new LivenessError('OZ_AUTH_FAILED', 'misconfigured'),
      new TypeError('bug'),
    ]) {
      let attempts = 0;
      await withRetry(async () => {
        attempts++;
        throw error;
      }, fast).catch(() => {});
      expect(attempts, String(error)).to.equal(1);
    }
    expect(isTransient(new LivenessError('NETWORK', 'x', { retry: 'NONE' }))).to.equal(true);
  });

  it('waits a random time under an exponentially growing ceiling (full jitter)', async () => {
    const waits: number[] = [];
    let last = performance.now();
    await withRetry(
      async () => {
        const now = performance.now();
        waits.push(now - last);
        last = now;
        throw new LivenessError('NETWORK', 'down');
      },
      { tries: 3, baseDelayMs: 60, maxDelayMs: 1000, random: () => 1 },
    ).catch(() => {});
    // random() = 1 hits the ceiling exactly: 60 ms, then 120 ms (timers may only run late).
    expect(waits[1]).to.be.at.least(55);
    expect(waits[2]).to.be.at.least(115);

    const zero: number[] = [];
    last = performance.now();
    await withRetry(
      async () => {
        zero.push(performance.now() - last);
        throw new LivenessError('NETWORK', 'down');
      },
      { tries: 2, baseDelayMs: 5000, random: () => 0 },
    ).catch(() => {});
    expect(zero[1]).to.be.below(2500);
  });

  it('honours a short retry-after and gives up on a long one', async () => {
    let attempts = 0;
    const started = performance.now();
    await withRetry(
      async () => {
        attempts++;
        throw new LivenessError('RATE_LIMITED', 'slow down', { retryAfterMs: 80 });
      },
      { ...fast, tries: 2 },
    ).catch(() => {});
    expect(attempts).to.equal(2);
    expect(performance.now() - started).to.be.at.least(75);

    attempts = 0;
    await withRetry(async () => {
      attempts++;
      throw new LivenessError('RATE_LIMITED', 'slow down', { retryAfterMs: 60_000 });
    }, fast).catch(() => {});
    expect(attempts).to.equal(1);
  });

  it('stops waiting when aborted', async () => {
    const abort = new AbortController();
    const run = withRetry(
      async () => {
        throw new LivenessError('NETWORK', 'down');
      },
      { baseDelayMs: 10_000, random: () => 1, signal: abort.signal },
    );
    setTimeout(() => abort.abort(), 20);
    const error = await run.catch((e: DOMException) => e);
    expect(error.name).to.equal('AbortError');
  });
});
