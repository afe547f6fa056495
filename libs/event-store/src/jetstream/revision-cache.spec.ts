import { RevisionCache } from './revision-cache';

describe('RevisionCache', () => {
  it('keeps at most its capacity, evicting the least recently written stream', () => {
    const cache = new RevisionCache(2);
    cache.remember('a', { lastRevision: 0, seq: 1 });
    cache.remember('b', { lastRevision: 0, seq: 2 });
    cache.remember('a', { lastRevision: 1, seq: 3 });
    cache.remember('c', { lastRevision: 0, seq: 4 });
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toEqual({ lastRevision: 1, seq: 3 });
    expect(cache.get('c')).toEqual({ lastRevision: 0, seq: 4 });
  });

  it('never moves a stream back to an older commit', () => {
    const cache = new RevisionCache(10);
    cache.remember('a', { lastRevision: 5, seq: 50 });
    cache.remember('a', { lastRevision: 3, seq: 30 });
    expect(cache.get('a')).toEqual({ lastRevision: 5, seq: 50 });
    cache.forget('a');
    expect(cache.get('a')).toBeUndefined();
  });
});
