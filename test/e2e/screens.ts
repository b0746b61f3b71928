import type { Page } from '@playwright/test';

/** Opens a screen from the side rail (other buttons may carry the same word: "Queue 3 claims"). */
export const goTo = (page: Page, screen: 'Station' | 'Queue' | 'Devices' | 'Tags' | 'Settings') =>
  page
    .getByRole('navigation', { name: 'Screens' })
    .getByRole('button', { name: screen, exact: true })
    .click();
