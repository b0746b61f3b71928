import { describe, it } from 'vitest';
import { fieldDataDir, fieldDataPresent, fieldDataRequired } from './field-data';

let warned = false;

/** A describe block over the field data: run; skipped with one line; or failed, when it is required. */
export function describeFieldData(name: string, body: () => void): void {
  if (fieldDataPresent) {
    describe(name, body);
    return;
  }
  if (fieldDataRequired) {
    describe(name, () => {
      it('finds the field data', () => {
        throw new Error(
          `No field data at ${fieldDataDir} (looked at $FIELDCLAIM_FIELD_DATA, else <repo>/../shared/field-data), ` +
            'and FIELDCLAIM_REQUIRE_FIELD_DATA=1 requires it',
        );
      });
    });
    return;
  }
  if (!warned) {
    warned = true;
    console.warn(
      `field data not found at ${fieldDataDir}: its tests are skipped (set FIELDCLAIM_FIELD_DATA)`,
    );
  }
  describe.skip(`${name} (no field data at ${fieldDataDir})`, () => {
    it.skip('needs the field data', () => undefined);
  });
}
