import { mapConcurrent } from './map-concurrent';

describe('mapConcurrent', () => {
  const deferred = () => {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    return { promise, resolve };
  };

  it('keeps up to the cap in flight at once and returns results in input order', async () => {
    let inFlight = 0;
    let peak = 0;
    const gate = deferred();
    const run = mapConcurrent(Array.from({ length: 20 }, (_, i) => i), 8, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await gate.promise;
      inFlight--;
      return n * 2;
    });
    await new Promise((r) => setImmediate(r));
    expect(inFlight).toBe(8);
    gate.resolve();
    expect(await run).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
    expect(peak).toBe(8);
  });

  it('starts nothing new after a failure and throws it once the started calls settle', async () => {
    const started: number[] = [];
    const run = mapConcurrent([0, 1, 2, 3, 4, 5], 2, async (n) => {
      started.push(n);
      if (n === 1) throw new Error('append failed');
      return n;
    });
    await expect(run).rejects.toThrow('append failed');
    expect(started).toEqual([0, 1, 2]);
  });
});
