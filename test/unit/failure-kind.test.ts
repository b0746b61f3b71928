import { describe, expect, it } from 'vitest';
import { failureAdvice, failureKindOf, isRetryable } from '../../electron/core/failure-kind';
import { failureKinds } from '../../electron/shared/types';

describe('failureKindOf', () => {
  it("reads the kind from the service's answer and the entry's kind", () => {
    expect(failureKindOf({ kind: 'claim' }, 400)).toBe('invalid-token');
    expect(failureKindOf({ kind: 'set-tags' }, 400)).toBe('refused');
    expect(failureKindOf({ kind: 'block' }, 404)).toBe('not-claimed');
    expect(failureKindOf({ kind: 'claim' }, 422)).toBe('refused');
    expect(failureKindOf({ kind: 'claim' }, undefined)).toBe('refused');
  });

  it('has advice for every kind, and offers Retry only where resending could go differently', () => {
    for (const kind of failureKinds) expect(failureAdvice[kind].hint).toMatch(/\w/);
    expect(failureKinds.filter(isRetryable)).toEqual(['refused']);
    expect(isRetryable(null)).toBe(true);
  });
});
