import { describe, expect, it } from 'vitest';
import { fillRandom } from '../src/random-pool.js';

/** Every 16-byte window of `bytes`, as hex. */
function windows(bytes: Buffer): string[] {
  return Array.from({ length: bytes.length - 15 }, (_, i) =>
    bytes.subarray(i, i + 16).toString('hex'),
  );
}

describe('fillRandom', () => {
  it('hands out each pooled byte once, across refills', () => {
    // Three pools' worth in draws of odd sizes: a byte handed out twice, or a pool not refilled,
    // would repeat a 16-byte window.
    const draws = Array.from({ length: 700 }, (_, i) => {
      const bytes = Buffer.alloc(7 + (i % 29));
      fillRandom(bytes, 0, bytes.length);
      return bytes;
    });
    const all = Buffer.concat(draws);
    expect(all.length).toBeGreaterThan(3 * 4096);
    expect(new Set(windows(all)).size).toBe(all.length - 15);
  });

  it('writes only the asked range, also for draws larger than the pool', () => {
    for (const length of [16, 5000]) {
      const target = Buffer.alloc(length + 8);
      fillRandom(target, 4, length);
      expect(target.subarray(0, 4).equals(Buffer.alloc(4))).toBe(true);
      expect(target.subarray(length + 4).equals(Buffer.alloc(4))).toBe(true);
      expect(target.subarray(4, length + 4).equals(Buffer.alloc(length))).toBe(false);
    }
  });
});
