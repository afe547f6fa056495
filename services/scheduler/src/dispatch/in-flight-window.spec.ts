import { InFlightWindow } from './in-flight-window';

function deferred() {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('InFlightWindow', () => {
  it('commits a position only when it and every earlier one completed', async () => {
    const committed: string[] = [];
    const window = new InFlightWindow(10, (p) => committed.push(p));
    const [a, b, c] = [deferred(), deferred(), deferred()];
    await window.add('1', a.promise);
    await window.add('2', b.promise);
    await window.add('3', c.promise);
    b.resolve();
    c.resolve();
    await Promise.resolve();
    await Promise.resolve();
    expect(committed).toEqual([]);
    a.resolve();
    await window.drain();
    expect(committed).toEqual(['3']);
  });

  it('never commits past an effect that failed', async () => {
    const committed: string[] = [];
    const window = new InFlightWindow(10, (p) => committed.push(p));
    await window.add('1', Promise.resolve());
    await window.add('2', Promise.reject(new Error('publish failed')));
    await window.add('3', Promise.resolve());
    await window.drain();
    expect(committed).toEqual(['1']);
  });

  it('makes the caller wait while the window is full', async () => {
    const window = new InFlightWindow(2, () => undefined);
    const first = deferred();
    await window.add('1', first.promise);
    let returned = false;
    const adding = window.add('2', new Promise<void>(() => undefined)).then(() => (returned = true));
    await new Promise((r) => setImmediate(r));
    expect(returned).toBe(false);
    first.resolve();
    await adding;
    expect(returned).toBe(true);
  });
});

describe('InFlightWindow.hold', () => {
  it('keeps the checkpoint behind a held effect without taking room in the window or in drain()', async () => {
    const committed: string[] = [];
    const window = new InFlightWindow(1, (p) => committed.push(p));
    const held = deferred();
    window.hold('1', held.promise);
    await window.add('2', Promise.resolve());
    await window.add('3', Promise.resolve());
    await window.drain();
    expect(committed).toEqual([]);
    held.resolve();
    await held.promise;
    await Promise.resolve();
    expect(committed).toEqual(['3']);
  });

  it('commits in order across thousands of positions queued behind a held one', async () => {
    const committed: string[] = [];
    const window = new InFlightWindow(10, (p) => committed.push(p));
    const held = deferred();
    window.hold('0', held.promise);
    for (let i = 1; i <= 5000; i++) await window.add(String(i), Promise.resolve());
    await window.drain();
    held.resolve();
    await held.promise;
    await Promise.resolve();
    await window.add('5001', Promise.resolve());
    await window.drain();
    expect(committed).toEqual(['5000', '5001']);
  });
});
