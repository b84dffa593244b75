/**
 * Seeded randomness for the simulator: mulberry32 (as bench/rng.ts); for the fault layer one independent stream per
 * fault kind, so adding events of one kind does not shift the draws of another and a seed names one
 * fault plan exactly. No Math.random anywhere in the simulator.
 */
export type Random = () => number;

export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a name: the stream of one kind under one seed. */
function hash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The stream named `name` under `seed`. */
export function stream(seed: number, name: string): Random {
  return mulberry32((Math.imul(seed >>> 0, 0x9e3779b1) ^ hash(name)) >>> 0);
}
