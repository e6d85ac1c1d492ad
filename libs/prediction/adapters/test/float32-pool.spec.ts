import { Float32Pool } from '../src/float32-pool';

describe('Float32Pool', () => {
  it('hands a given-back buffer out again, zeroed, for a request that fits', () => {
    const pool = new Float32Pool();
    const first = pool.take(100);
    first.fill(7);
    pool.give(first);

    const second = pool.take(60);

    expect(second.buffer).toBe(first.buffer);
    expect(second).toHaveLength(60);
    expect(Array.from(second).every((v) => v === 0)).toBe(true);
  });

  it('never recycles an array it did not make, nor one it has not been given back', () => {
    const pool = new Float32Pool();
    const foreign = new Float32Array(100).fill(3);
    pool.give(foreign);
    const taken = pool.take(100);

    expect(taken.buffer).not.toBe(foreign.buffer);
    expect(foreign[0]).toBe(3);
    expect(pool.take(100).buffer).not.toBe(taken.buffer);
  });
});

describe('Float32Pool.take(length, false)', () => {
  it('hands a given-back buffer out as it is, for a caller that overwrites every value', () => {
    const pool = new Float32Pool();
    const first = pool.take(100);
    first.fill(7);
    pool.give(first);

    const second = pool.take(60, false);

    expect(second.buffer).toBe(first.buffer);
    expect(second).toHaveLength(60);
    expect(second[0]).toBe(7);
  });
});
