/** A seeded PRNG (mulberry32): every random choice of a fault run can be replayed with FAULTS_SEED. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  bytes(length: number): Buffer;
  pick<T>(items: readonly T[]): T;
}

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    bytes(length) {
      const out = Buffer.allocUnsafe(length);
      for (let i = 0; i < length; i++) out[i] = int(0, 255);
      return out;
    },
    pick: (items) => items[int(0, items.length - 1)]!,
  };
}
