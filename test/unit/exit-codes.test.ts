import { describe, expect, it } from 'vitest';
import { exitCodeForSync } from '../../electron/cli/exit-codes';

describe('sync exit codes', () => {
  const base = { sent: 1, succeeded: 1, failed: 0, pending: 0, devices: 1, stopped: null };
  it('maps the stop reason to the CLI contract', () => {
    expect(exitCodeForSync(base)).toBe(0);
    expect(exitCodeForSync({ ...base, failed: 1 })).toBe(1);
    expect(exitCodeForSync({ ...base, stopped: { reason: 'key-rejected', message: '' } })).toBe(3);
    expect(exitCodeForSync({ ...base, stopped: { reason: 'forbidden', message: '' } })).toBe(3);
    expect(exitCodeForSync({ ...base, stopped: { reason: 'offline', message: '' } })).toBe(4);
    expect(exitCodeForSync({ ...base, stopped: { reason: 'rate-limited', message: '' } })).toBe(1);
  });
});
