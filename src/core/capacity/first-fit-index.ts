/**
 * Finds the first bin (in insertion order) whose free resources cover a demand: a segment tree keeps,
 * per node, the largest free amount of each dimension below it, so whole ranges of full bins are
 * skipped. The caller still checks ports and constraints on the bin it gets back and asks again from
 * the next index when those fail.
 *
 * With many task shapes the per-dimension maxima can send an exact search through most of the tree
 * (one bin short of CPU, its neighbour short of memory). A bounded query (`limit`) gives up after that
 * many bins that the maxima let through but that did not fit, then looks for the first bin whose
 * *balanced* room — the smaller of its free CPU and free memory as shares of the largest capacity —
 * covers the task's larger share: a sufficient condition the tree answers exactly in O(log n). So a
 * bounded query costs O(limit · log n) whatever the shapes.
 */
export const DIMS = 4; // cpu, memoryMiB, enis, gpus
const STRIDE = DIMS + 1; // + the balanced room

export class FirstFitIndex {
  private size = 16;
  private count = 0;
  private tree = new Float64Array(2 * 16 * STRIDE).fill(-1);
  private tries = Number.POSITIVE_INFINITY;
  private readonly scale: Float64Array;

  /** `scale`: the largest capacity per dimension (CPU and memory are used for the balanced room). */
  public constructor(scale?: ArrayLike<number>) {
    this.scale = Float64Array.from({ length: 2 }, (_, d) => (scale?.[d] ?? 0) || 1);
  }

  public get length(): number {
    return this.count;
  }

  /** Appends a bin with the given free resources; returns its index. */
  public push(free: ArrayLike<number>): number {
    if (this.count === this.size) this.grow();
    const i = this.count++;
    this.update(i, free);
    return i;
  }

  /** Sets the free resources of bin `i` after a placement. */
  public update(i: number, free: ArrayLike<number>): void {
    let node = this.size + i;
    const base = node * STRIDE;
    for (let d = 0; d < DIMS; d++) this.tree[base + d] = free[d] ?? 0;
    this.tree[base + DIMS] = Math.min((free[0] ?? 0) / (this.scale[0] ?? 1), (free[1] ?? 0) / (this.scale[1] ?? 1));
    node >>= 1;
    while (node >= 1) {
      this.pull(node);
      node >>= 1;
    }
  }

  /**
   * Index of the first bin at or after `start` whose free resources cover `need`, or -1. With `limit`
   * the search is bounded (see above) and may miss a bin that fits: the caller then opens a new one.
   */
  public findFrom(start: number, need: ArrayLike<number>, limit?: number): number {
    if (start >= this.count) return -1;
    this.tries = limit ?? Number.POSITIVE_INFINITY;
    const exact = this.descend(1, 0, this.size - 1, start, need, -1);
    if (exact !== -1 || limit === undefined || this.tries > 0) return exact;
    // Out of tries: the first bin with balanced room for the task's larger share.
    const share = Math.max((need[0] ?? 0) / (this.scale[0] ?? 1), (need[1] ?? 0) / (this.scale[1] ?? 1));
    this.tries = limit;
    return this.descend(1, 0, this.size - 1, start, need, share);
  }

  private pull(node: number): void {
    const l = 2 * node * STRIDE;
    const r = (2 * node + 1) * STRIDE;
    const o = node * STRIDE;
    for (let d = 0; d < STRIDE; d++) {
      const a = this.tree[l + d] ?? -1;
      const b = this.tree[r + d] ?? -1;
      this.tree[o + d] = a > b ? a : b;
    }
  }

  private covers(node: number, need: ArrayLike<number>, share: number): boolean {
    const base = node * STRIDE;
    for (let d = 0; d < DIMS; d++) if ((this.tree[base + d] ?? -1) < (need[d] ?? 0)) return false;
    return share < 0 || (this.tree[base + DIMS] ?? -1) >= share;
  }

  private descend(node: number, lo: number, hi: number, start: number, need: ArrayLike<number>, share: number): number {
    if (hi < start || lo >= this.count || this.tries <= 0) return -1;
    if (lo === hi) {
      if (this.covers(node, need, -1)) return lo;
      this.tries--;
      return -1;
    }
    if (!this.covers(node, need, share)) return -1;
    const mid = (lo + hi) >> 1;
    const left = this.descend(2 * node, lo, mid, start, need, share);
    if (left !== -1) return left;
    return this.descend(2 * node + 1, mid + 1, hi, start, need, share);
  }

  private grow(): void {
    const old = this.tree;
    const oldSize = this.size;
    this.size *= 2;
    this.tree = new Float64Array(2 * this.size * STRIDE).fill(-1);
    for (let i = 0; i < this.count; i++) {
      const from = (oldSize + i) * STRIDE;
      this.tree.set(old.subarray(from, from + STRIDE), (this.size + i) * STRIDE);
    }
    for (let node = this.size - 1; node >= 1; node--) this.pull(node);
  }
}
