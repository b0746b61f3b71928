import type { Screen } from '../status-words';

/** Which screen is showing; the status strip's links ("enter a new key in Settings") move it too. */
export class Navigation {
  current = $state<Screen>('station');

  go(screen: Screen): void {
    this.current = screen;
  }
}

export const navigation = new Navigation();
