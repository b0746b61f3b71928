import type { AppError, Result } from '$shared/result';

/** One window of a list as the main process answers it. */
export interface Window<T> {
  rows: T[];
  total: number;
}

export type FetchWindow<Q, W extends Window<unknown>> = (
  query: Q,
  offset: number,
  limit: number,
) => Promise<Result<W>>;

/**
 * A long list a page at a time: only the pages in view are asked for, never the whole list, so the
 * screen costs the same at 30 rows and at 100,000. A new query, or a reload after a change, answers
 * with the pages in view; an answer to an older request is dropped, never drawn over a newer one.
 */
export class PagedRows<T, Q, W extends Window<T> = Window<T>> {
  total = $state(0);
  /** The latest window's answer as a whole (its counts, the filters' choices). */
  latest = $state.raw<W | null>(null);
  error = $state<AppError | null>(null);
  /** The pages in view are on their way for the latest query (a table says aria-busy meanwhile). */
  loading = $state(false);
  /** Bumped when pages arrive: what reads rows depends on it (one signal, not one per page). */
  private version = $state(0);
  // Bookkeeping behind `version`, not state of its own.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private pages = new Map<number, T[]>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly asked = new Set<number>();
  private generation = 0;
  private first = 0;
  private last = 0;
  private query: Q | null = null;

  constructor(
    private readonly fetch: FetchWindow<Q, W>,
    readonly pageSize = 100,
  ) {}

  /** The row at `index`, or undefined while its page is on the way. */
  row(index: number): T | undefined {
    void this.version;
    return this.pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
  }

  /** Asks for the query's first pages; what was loaded for another query is dropped. */
  setQuery(query: Q): Promise<void> {
    this.query = query;
    this.first = 0;
    this.last = Math.min(this.last, this.pageSize);
    return this.reload();
  }

  /** Asks again for the pages in view (the data changed); the old ones stay drawn until then. */
  async reload(): Promise<void> {
    if (this.query === null) return;
    const generation = ++this.generation;
    this.asked.clear();
    this.loading = true;
    const indexes = this.pagesIn(this.first, this.last);
    const answers = await Promise.all(indexes.map((i) => this.fetchPage(i)));
    if (generation !== this.generation) return;
    this.loading = false;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    const pages = new Map<number, T[]>();
    answers.forEach((answer, k) => answer && pages.set(indexes[k]!, answer));
    this.pages = pages;
    this.version++;
  }

  /** The rows from `first` to `last` are in view (or about to be): loads the pages they need. */
  show(first: number, last: number): void {
    this.first = first;
    this.last = last;
    const generation = this.generation;
    for (const index of this.pagesIn(first, last)) {
      if (this.pages.has(index) || this.asked.has(index)) continue;
      this.asked.add(index);
      void this.fetchPage(index).then((rows) => {
        if (generation !== this.generation || !rows) return;
        this.pages.set(index, rows);
        this.version++;
      });
    }
  }

  private pagesIn(first: number, last: number): number[] {
    const from = Math.floor(first / this.pageSize);
    const to = Math.max(from, Math.floor(Math.max(first, last - 1) / this.pageSize));
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  }

  private async fetchPage(index: number): Promise<T[] | null> {
    const generation = this.generation;
    const result = await this.fetch(this.query as Q, index * this.pageSize, this.pageSize);
    if (generation !== this.generation) return null;
    if (!result.ok) {
      this.error = result.error;
      return null;
    }
    this.error = null;
    this.total = result.value.total;
    this.latest = result.value;
    return result.value.rows;
  }
}
