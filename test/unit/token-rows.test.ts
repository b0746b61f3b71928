import { describe, expect, it } from 'vitest';
import { detectShape, interpretRow, looksLikeHeader, readImeiCell } from '../../electron/core/token-rows';
import { makeToken } from '../support/tokens';

const { token, deviceId } = makeToken();
const gatherRow = (imei: string, uuid = deviceId) => [imei, uuid, token, '2026-12-01T11:50:47.409351+00:00'];

describe('telling the gather format from the bulk format', () => {
  it('goes by where the token stands, never by the IMEI cell', () => {
    expect(detectShape(gatherRow('355025930000000'))).toBe('gather');
    expect(detectShape(gatherRow('3.55026E+14'))).toBe('gather');
    expect(detectShape(gatherRow(''))).toBe('gather');
    expect(detectShape(gatherRow('="355025930000000"'))).toBe('gather');
    expect(detectShape([token, 'a,b'])).toBe('bulk');
    expect(detectShape([token])).toBe('bulk');
  });

  it('takes a gather row whose token is damaged as a gather row still (its UUID column says so)', () => {
    expect(detectShape(['355025930000000', deviceId, token.slice(0, 50), ''])).toBe('gather');
    expect(detectShape([deviceId, '', '', 'APP|MODEM', '-----BEGIN CERTIFICATE-----'])).toBe('bulk');
  });

  it('skips a header a spreadsheet user wrote, but not data', () => {
    expect(looksLikeHeader(['IMEI', 'UUID', 'Attestation token', 'Date/Time (UTC)'])).toBe(true);
    expect(looksLikeHeader(['claimToken', 'tags'])).toBe(true);
    expect(looksLikeHeader(gatherRow('3.55026E+14'))).toBe(false);
    expect(looksLikeHeader([token])).toBe(false);
  });
});

describe('the IMEI cell of a gather row', () => {
  it.each([
    ['355025930000000', '355025930000000'],
    ['="355025930000000"', '355025930000000'],
    ["'355025930000000", '355025930000000'],
    ['355025930000000.0', '355025930000000'],
    ['', null],
    ['None', null],
  ])('%j is read as %j', (cell, imei) => {
    expect(readImeiCell(cell)).toEqual({ imei });
  });

  it.each([
    ['3.55026E+14', 'spreadsheet-number'],
    ['3,55026E+14', 'spreadsheet-number'],
    ['35502593000000', 'not-an-imei'],
    ['35940423XXXXXXX', 'not-an-imei'],
  ])('%j is dropped (%s)', (cell, why) => {
    expect(readImeiCell(cell)).toEqual({ imei: null, dropped: { cell, why } });
  });

  it('never costs a row with a valid token its claim', () => {
    expect(interpretRow(gatherRow('3.55026E+14'), 'gather')).toMatchObject({
      kind: 'claim',
      imei: null,
      token: { deviceId },
      droppedImei: { cell: '3.55026E+14', why: 'spreadsheet-number' },
    });
    expect(interpretRow(gatherRow('355025930000000', ''), 'gather')).toMatchObject({
      kind: 'claim',
      imei: '355025930000000',
    });
  });

  it('still refuses a row whose UUID column names another device', () => {
    expect(interpretRow(gatherRow('355025930000000', makeToken().deviceId), 'gather')).toMatchObject({
      kind: 'reject',
      reason: expect.stringMatching(/UUID column/),
    });
  });
});

describe('a bulk row that is not a token', () => {
  it('says when column 1 is a device UUID: an onboarding or device list', () => {
    expect(interpretRow([deviceId, '', '', 'APP|MODEM'], 'bulk')).toMatchObject({
      kind: 'reject',
      reason: expect.stringMatching(/invalid token.*device UUID.*not a file of tokens/),
    });
  });
});
