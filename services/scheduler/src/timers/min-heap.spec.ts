import { MinHeap } from './min-heap';

describe('MinHeap', () => {
  it('pops in key order, duplicates included', () => {
    const heap = new MinHeap<number>((n) => n);
    const input = [5, 3, 9, 1, 3, 8, 2, 7, 0, 6, 4, 3];
    input.forEach((n) => heap.push(n));
    const out: number[] = [];
    while (heap.size > 0) out.push(heap.pop() as number);
    expect(out).toEqual([...input].sort((a, b) => a - b));
    expect(heap.pop()).toBeUndefined();
  });

  it('stays ordered under interleaved pushes and pops', () => {
    const heap = new MinHeap<number>((n) => n);
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647);
    const mirror: number[] = [];
    for (let i = 0; i < 2000; i++) {
      if (next() % 3 === 0 && mirror.length > 0) {
        mirror.sort((a, b) => a - b);
        expect(heap.pop()).toBe(mirror.shift());
      } else {
        const n = next() % 1000;
        heap.push(n);
        mirror.push(n);
      }
    }
  });
});
