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

type Pages<T> = Map<number, T[]>;
// Bookkeeping behind `version`, not state of its own: one signal for the table, not one per page.
const pagesOf = <T>(): Pages<T> => new Map<number, T[]>();

/**
 * A long list a page at a time: only the pages in view are asked for, never the whole list, so the
 * screen costs the same at 30 rows and at 100,000.
 *
 * Each query or reload is a generation. A reload keeps the pages on screen until its own have
 * come, then shows those and any page of the same generation that scrolling asked for meanwhile;
 * an answer of an older generation is dropped. A new query shows nothing of the old one (its rows
 * must not be acted on under the new filters). A page that failed is asked for again when seen.
 */
export class PagedRows<T, Q, W extends Window<T> = Window<T>> {
  total = $state(0);
  /** The latest window's answer as a whole (its counts, the filters' choices). */
  latest = $state.raw<W | null>(null);
  error = $state<AppError | null>(null);
  /** The pages in view are on their way for the latest query (a table says aria-busy meanwhile). */
  loading = $state(false);
  private version = $state(0);
  /** What the table shows. */
  private shown: Pages<T> = pagesOf();
  /** A reload's pages, shown once its pages in view are all in; null when none runs. */
  private coming: Pages<T> | null = null;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not shown
  private asked = new Set<number>();
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
    return this.shown.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
  }

  /** Asks for the query's first pages; nothing of the previous query stays on screen. */
  setQuery(query: Q): Promise<void> {
    this.query = query;
    this.first = 0;
    this.last = Math.min(this.last, this.pageSize);
    this.shown = pagesOf();
    this.version++;
    return this.reload();
  }

  /** Asks again for the pages in view (the data changed); the old ones stay drawn until then. */
  async reload(): Promise<void> {
    if (this.query === null) return;
    const generation = ++this.generation;
    const coming: Pages<T> = pagesOf();
    this.coming = coming;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, not shown
    this.asked = new Set();
    this.loading = true;
    await Promise.all(this.pagesIn(this.first, this.last).map((index) => this.load(index, generation)));
    if (generation !== this.generation) return;
    this.shown = coming;
    this.coming = null;
    this.loading = false;
    this.version++;
    // Pages scrolled to while the reload ran, and any that failed: asked for now.
    this.show(this.first, this.last);
  }

  /** The rows from `first` to `last` are in view (or about to be): loads the pages they need. */
  show(first: number, last: number): void {
    this.first = first;
    this.last = last;
    if (this.query === null) return;
    const have = this.coming ?? this.shown;
    for (const index of this.pagesIn(first, last))
      if (!have.has(index) && !this.asked.has(index)) void this.load(index, this.generation);
  }

  private pagesIn(first: number, last: number): number[] {
    const from = Math.floor(first / this.pageSize);
    const to = Math.max(from, Math.floor(Math.max(first, last - 1) / this.pageSize));
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  }

  /** One page for one generation, kept where that generation's pages go. */
  private async load(index: number, generation: number): Promise<void> {
    this.asked.add(index);
    const result = await this.fetch(this.query as Q, index * this.pageSize, this.pageSize);
    if (generation !== this.generation) return;
    if (!result.ok) {
      this.error = result.error;
      this.asked.delete(index);
      return;
    }
    this.error = null;
    this.total = result.value.total;
    this.latest = result.value;
    (this.coming ?? this.shown).set(index, result.value.rows);
    if (!this.coming) this.version++;
  }
}
