import { describe, expect, it } from 'vitest';
import { ok, type Result } from '../../electron/shared/result';
import { PagedRows, type Window } from '../../renderer/src/lib/state/paged.svelte';

/** A list of `size` rows whose pages answer only when the test says so. */
function list(size: number) {
  const waiting: Array<{ offset: number; answer: (fail?: boolean) => void }> = [];
  const asked: number[] = [];
  let rows = Array.from({ length: size }, (_, i) => `row ${i}`);
  const fetch = (_q: string, offset: number, limit: number) =>
    new Promise<Result<Window<string>>>((resolve) => {
      asked.push(offset);
      waiting.push({
        offset,
        answer: (fail = false) =>
          resolve(
            fail
              ? { ok: false, error: { code: 'internal', message: 'broken' } }
              : ok({ rows: rows.slice(offset, offset + limit), total: rows.length }),
          ),
      });
    });
  const answer = async (offset: number, fail = false) => {
    const i = waiting.findIndex((w) => w.offset === offset);
    if (i < 0) throw new Error(`nothing waits for offset ${offset} (asked: ${asked.join(', ')})`);
    waiting.splice(i, 1)[0]!.answer(fail);
    await new Promise((r) => setTimeout(r, 0));
  };
  return { fetch, answer, asked, waiting, set: (next: string[]) => (rows = next) };
}

describe('PagedRows', () => {
  it('keeps a page scrolled to during a reload, even when it answers first', async () => {
    const l = list(1000);
    const paged = new PagedRows<string, string>(l.fetch, 100);
    void paged.setQuery('q');
    await l.answer(0);
    void paged.reload();
    paged.show(250, 300);
    await l.answer(200);
    await l.answer(0);
    expect(paged.row(250)).toBe('row 250');
    expect(paged.row(5)).toBe('row 5');
  });

  it('asks again for a page that failed, and for one the reload did not bring', async () => {
    const l = list(1000);
    const paged = new PagedRows<string, string>(l.fetch, 100);
    void paged.setQuery('q');
    await l.answer(0);
    paged.show(100, 150);
    await l.answer(100, true);
    expect(paged.row(120)).toBeUndefined();
    paged.show(100, 151);
    await l.answer(100);
    expect(paged.row(120)).toBe('row 120');
  });

  it('drops answers to an older query and shows nothing of it once the query changes', async () => {
    const l = list(1000);
    const paged = new PagedRows<string, string>(l.fetch, 100);
    void paged.setQuery('first');
    await l.answer(0);
    expect(paged.row(0)).toBe('row 0');
    void paged.setQuery('second');
    expect(paged.row(0)).toBeUndefined();
    l.set(['only']);
    await l.answer(0);
    expect(paged.row(0)).toBe('only');
    expect(paged.total).toBe(1);
  });

  it('keeps the old rows on screen while a reload is out, then swaps', async () => {
    const l = list(300);
    const paged = new PagedRows<string, string>(l.fetch, 100);
    void paged.setQuery('q');
    await l.answer(0);
    l.set(['changed', ...Array.from({ length: 299 }, (_, i) => `row ${i + 1}`)]);
    void paged.reload();
    expect(paged.loading).toBe(true);
    expect(paged.row(0)).toBe('row 0');
    await l.answer(0);
    expect(paged.row(0)).toBe('changed');
    expect(paged.loading).toBe(false);
  });
});
