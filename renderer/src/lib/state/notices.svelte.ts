export type NoticeTone = 'success' | 'danger' | 'info';

export interface Toast {
  id: number;
  tone: NoticeTone;
  text: string;
}

/**
 * Toasts, and the window's one polite live region. Every outcome worth hearing (a read queued or
 * failed, a setting saved, an action refused) is said through it, one at a time: no pile of
 * role="alert" tiles interrupting each other.
 */
export class Notices {
  toasts = $state<Toast[]>([]);
  /** The live region's text. */
  spoken = $state('');
  private nextId = 1;
  // Bookkeeping, not state: nothing renders from the timers.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();

  say(text: string): void {
    // The same sentence twice in a row is still news (a second board queued): change, then set.
    this.spoken = this.spoken === text ? `${text}\u00a0` : text;
  }

  toast(text: string, tone: NoticeTone = 'info', ms = tone === 'danger' ? 10_000 : 5_000): void {
    const id = this.nextId++;
    // Inside the live region already: it is said as it appears.
    this.toasts = [...this.toasts.slice(-3), { id, tone, text }];
    this.timers.set(
      id,
      setTimeout(() => this.dismiss(id), ms),
    );
  }

  dismiss(id: number): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }
}

export const notices = new Notices();
