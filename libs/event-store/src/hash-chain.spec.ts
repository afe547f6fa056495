import type { DomainEvent } from '@jobstream/domain';
import { canonicalJson, eventHash, GENESIS_HASH } from './hash-chain';

/** The rule as docs/audit.md states it, written the obvious way: what a third-party verifier would do. */
function referenceCanonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined || typeof v === 'function' ? 'null' : referenceCanonical(v))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .sort()
    .filter((k) => record[k] !== undefined && typeof record[k] !== 'function')
    .map((k) => `${JSON.stringify(k)}:${referenceCanonical(record[k])}`);
  return `{${members.join(',')}}`;
}

function randomValue(depth: number, rnd: () => number): unknown {
  const pick = Math.floor(rnd() * (depth > 3 ? 5 : 8));
  const keys = ['a', 'B', 'z', 'é', '_x', 'a1', '10', '2', 'data', 'Ω', 'key"q', ''];
  switch (pick) {
    case 0: return null;
    case 1: return Math.floor(rnd() * 1e6) / 100;
    case 2: return rnd() < 0.5;
    case 3: return String.fromCharCode(...Array.from({ length: 6 }, () => 32 + Math.floor(rnd() * 9000)));
    case 4: return undefined;
    case 5: return Array.from({ length: Math.floor(rnd() * 4) }, () => randomValue(depth + 1, rnd));
    default: {
      const out: Record<string, unknown> = {};
      for (let i = Math.floor(rnd() * 6); i > 0; i--) out[keys[Math.floor(rnd() * keys.length)]] = randomValue(depth + 1, rnd);
      return out;
    }
  }
}

describe('hash chain', () => {
  it('writes canonical JSON exactly as the documented rule, for random nested values', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 2000; i++) {
      const value = { top: randomValue(0, rnd), other: randomValue(0, rnd) };
      expect(canonicalJson(value)).toBe(referenceCanonical(value));
    }
  });

  it('keeps the published hash of a fixed event (a change here breaks every stored chain)', () => {
    const event = {
      eventId: '7f1c2f4e-0000-4000-8000-000000000001', type: 'job.completed', schemaVersion: 1, streamId: 'acme.job.j1', tenant: 'acme',
      occurredAt: '2026-01-02T03:04:05.000Z', correlationId: 'j1', causationId: null, actor: 'service:executor',
      data: { jobVariables: { b: 2, a: [1, { z: 'é\u2028"', y: null }] }, output: { ok: true }, skipped: undefined },
    } as unknown as DomainEvent;
    expect(eventHash(event, GENESIS_HASH)).toBe('b0962103a30c028b7e1d5a0458397a81647a59d2e3691867c4d76235e29cf622');
    expect(eventHash({ ...event, previousHash: 'x', hash: 'y' }, GENESIS_HASH)).toBe('b0962103a30c028b7e1d5a0458397a81647a59d2e3691867c4d76235e29cf622');
  });
});
