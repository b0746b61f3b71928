import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { newClientId } from '../../electron/adapters/db/client-id';

describe('client ids', () => {
  it('are RFC 9562 version 7 UUIDs, unique and in creation order, even within one millisecond', () => {
    const ids = Array.from({ length: 10_000 }, () => newClientId(1_795_852_800_000));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids.slice(0, 50)) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(z.uuid().safeParse(id).success).toBe(true);
    }
    expect(newClientId(1_795_852_900_000) > ids.at(-1)!).toBe(true);
  });
});
