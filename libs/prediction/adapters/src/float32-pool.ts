/**
 * Reuses the large Float32Arrays of batched inference (a batch of 64 forecasts is 4 MB of features): fresh
 * ArrayBuffers of that size are zeroed by the allocator and count as external memory, which makes V8 collect
 * garbage far more often, so allocating them per batch cost more than the model run. A buffer taken and never
 * given back is simply collected, so a failed batch cannot starve the pool.
 */
export class Float32Pool {
  private readonly free: Float32Array[] = [];
  /** Buffers this pool made: only those are ever taken back (a caller's array is never recycled under it). */
  private readonly own = new WeakSet<ArrayBufferLike>();

  constructor(private readonly keep = 2) {}

  /**
   * An array of exactly `length` values (a view of a pooled buffer, or a new one): zeroed, unless `zeroed` is
   * false and the caller overwrites every value (a batch's input is 2 MB per 16 forecasts, zeroed for nothing).
   */
  take(length: number, zeroed = true): Float32Array {
    const index = this.free.findIndex((buffer) => buffer.length >= length);
    if (index < 0) {
      const fresh = new Float32Array(length);
      this.own.add(fresh.buffer);
      return fresh;
    }
    const [buffer] = this.free.splice(index, 1) as [Float32Array];
    const view = buffer.subarray(0, length);
    if (zeroed) view.fill(0);
    return view;
  }

  /** Gives back an array from `take` once nothing reads or writes it any more. */
  give(array: Float32Array): void {
    if (!this.own.has(array.buffer) || this.free.some((b) => b.buffer === array.buffer)) return;
    this.free.push(new Float32Array(array.buffer));
    if (this.free.length > this.keep) {
      // keep the largest ones: a batch of the usual size then never allocates
      this.free.sort((a, b) => b.length - a.length);
      this.free.length = this.keep;
    }
  }
}
