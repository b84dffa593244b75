/**
 * Finds the first bin (in insertion order) whose free resources cover a demand, in O(log n) for
 * the common case: a segment tree keeps, per node, the largest free amount of each dimension below
 * it, so whole ranges of full bins are skipped. The caller still checks ports and constraints on the
 * bin it gets back and asks again from the next index when those fail.
 */
export const DIMS = 4; // cpu, memoryMiB, enis, gpus

export class FirstFitIndex {
  private size = 16;
  private count = 0;
  private tree = new Float64Array(2 * 16 * DIMS).fill(-1);

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
    for (let d = 0; d < DIMS; d++) this.tree[node * DIMS + d] = free[d] ?? 0;
    node >>= 1;
    while (node >= 1) {
      const l = 2 * node * DIMS;
      const r = (2 * node + 1) * DIMS;
      for (let d = 0; d < DIMS; d++) {
        const a = this.tree[l + d] ?? -1;
        const b = this.tree[r + d] ?? -1;
        this.tree[node * DIMS + d] = a > b ? a : b;
      }
      node >>= 1;
    }
  }

  /** Index of the first bin at or after `start` whose free resources cover `need`, or -1. */
  public findFrom(start: number, need: ArrayLike<number>): number {
    if (start >= this.count) return -1;
    return this.descend(1, 0, this.size - 1, start, need);
  }

  private covers(node: number, need: ArrayLike<number>): boolean {
    const base = node * DIMS;
    for (let d = 0; d < DIMS; d++) if ((this.tree[base + d] ?? -1) < (need[d] ?? 0)) return false;
    return true;
  }

  private descend(node: number, lo: number, hi: number, start: number, need: ArrayLike<number>): number {
    if (hi < start || lo >= this.count || !this.covers(node, need)) return -1;
    if (lo === hi) return lo;
    const mid = (lo + hi) >> 1;
    const left = this.descend(2 * node, lo, mid, start, need);
    if (left !== -1) return left;
    return this.descend(2 * node + 1, mid + 1, hi, start, need);
  }

  private grow(): void {
    const old = this.tree;
    const oldSize = this.size;
    this.size *= 2;
    this.tree = new Float64Array(2 * this.size * DIMS).fill(-1);
    for (let i = 0; i < this.count; i++) {
      const from = (oldSize + i) * DIMS;
      this.tree.set(old.subarray(from, from + DIMS), (this.size + i) * DIMS);
    }
    for (let node = this.size - 1; node >= 1; node--) {
      for (let d = 0; d < DIMS; d++) {
        const a = this.tree[2 * node * DIMS + d] ?? -1;
        const b = this.tree[(2 * node + 1) * DIMS + d] ?? -1;
        this.tree[node * DIMS + d] = a > b ? a : b;
      }
    }
  }
}
