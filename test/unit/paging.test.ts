import { describe, expect, it, vi } from 'vitest';
import { totalOf } from '../../electron/core/paging';

describe('totalOf', () => {
  it('takes a short window as the end of the list, without counting', () => {
    const count = vi.fn(() => 999);
    expect(totalOf(7, 0, 100, count)).toBe(7);
    expect(totalOf(0, 0, 100, count)).toBe(0);
    expect(totalOf(30, 200, 100, count)).toBe(230);
    expect(count).not.toHaveBeenCalled();
  });

  it('counts when the window is full, or empty past the start (the list shrank)', () => {
    expect(totalOf(100, 0, 100, () => 5_000)).toBe(5_000);
    expect(totalOf(0, 300, 100, () => 120)).toBe(120);
  });
});
