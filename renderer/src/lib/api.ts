import type { FieldclaimApi } from '$shared/contract';
import type { AppError, Result } from '$shared/result';

declare global {
  interface Window {
    api: FieldclaimApi;
  }
}

/** The only module that touches window.api (set up by the preload, or by the test transport). */
export const api: FieldclaimApi = window.api;

/** A call's value, or its error in plain words for the screen. */
export async function call<T>(
  result: Promise<Result<T>>,
): Promise<{ value: T; error: null } | { value: null; error: AppError }> {
  const r = await result;
  return r.ok ? { value: r.value, error: null } : { value: null, error: r.error };
}
