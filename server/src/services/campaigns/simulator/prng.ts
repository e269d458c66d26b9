// A small deterministic PRNG (xoshiro128**, seeded through splitmix32) and the
// samplers the simulator needs. Math.random is never used: a seed fixes a run.

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    // splitmix32 spreads any 32-bit seed (0 included) over the 128-bit state.
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
  }

  /** A uniform 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.b << 9) >>> 0;
    this.c = (this.c ^ this.a) >>> 0;
    this.d = (this.d ^ this.b) >>> 0;
    this.b = (this.b ^ this.c) >>> 0;
    this.a = (this.a ^ this.d) >>> 0;
    this.c = (this.c ^ t) >>> 0;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Standard normal (Box–Muller; one value per call keeps the stream simple to reason about). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A positive duration given by its mean and standard deviation (ms). */
export interface Duration {
  meanMs: number;
  sdMs: number;
}

/** A lognormal sample with the duration's mean and sd (sd 0 → the mean exactly). */
export function sampleDuration(rng: Prng, d: Duration): number {
  if (d.sdMs <= 0) return d.meanMs;
  const sigma2 = Math.log1p((d.sdMs * d.sdMs) / (d.meanMs * d.meanMs));
  const mu = Math.log(d.meanMs) - sigma2 / 2;
  return Math.exp(mu + Math.sqrt(sigma2) * rng.normal());
}
