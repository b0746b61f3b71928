import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { toSiteReportCsv, type SiteReportRow } from '../../electron/adapters/csv/report-csv';

const row = (over: Partial<SiteReportRow>): SiteReportRow => ({
  deviceId: 'd',
  imei: null,
  deviceType: null,
  model: null,
  firmware: null,
  tags: [],
  claimState: 'pending',
  claimedAt: null,
  readAt: null,
  port: null,
  site: '',
  ...over,
});

/** The cells as a spreadsheet would read them back. */
const cells = (csv: string) => Papa.parse<string[]>(csv).data[1]!;

describe('the site report in a spreadsheet', () => {
  it.each([
    ['a formula first', '=HYPERLINK("http://x")'],
    ['a formula on the second line of a cell', 'ok\n=cmd|"/c calc"!A1'],
    ['a formula after a carriage return', 'ok\r+1'],
    ['an at-sign after a line break', 'rack\n@SUM(A1)'],
    ['a tab first', '\t=1'],
  ])('defuses %s', (_what, text) => {
    const [, , , model, firmware] = cells(toSiteReportCsv([row({ model: text, firmware: `x${text}` })]));
    expect(model).toBe(`'${text}`);
    expect(firmware!.startsWith("'")).toBe(text.includes('\n') || text.includes('\r'));
  });

  it('leaves plain text alone, dashes inside included', () => {
    const [, , , model] = cells(toSiteReportCsv([row({ model: 'nRF9151-LACA' })]));
    expect(model).toBe('nRF9151-LACA');
  });
});
