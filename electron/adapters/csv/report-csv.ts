import Papa from 'papaparse';

export interface SiteReportRow {
  deviceId: string;
  imei: string | null;
  deviceType: string | null;
  model: string | null;
  firmware: string | null;
  tags: string[];
  claimState: string;
  claimedAt: string | null;
  readAt: string | null;
  port: string | null;
  site: string;
}

const columns: Array<[keyof SiteReportRow, string]> = [
  ['deviceId', 'device UUID'],
  ['imei', 'IMEI'],
  ['deviceType', 'device type'],
  ['model', 'model'],
  ['firmware', 'firmware'],
  ['tags', 'tags'],
  ['claimState', 'claim state'],
  ['claimedAt', 'claimed at'],
  ['readAt', 'read at'],
  ['port', 'port'],
  ['site', 'site'],
];

/**
 * A cell a spreadsheet could run as a formula: one starting with =, +, -, @, a tab or a carriage
 * return, on its first line or after any line break in it. Papaparse's own test has no `s` or `m`
 * flag, so a second line of a multi-line cell slipped through it.
 */
export const formulaStart = /(?:^|[\r\n])[=+\-@\t\r]/;

/** The site report: for people and spreadsheets, so every cell that could run as a formula is defused. */
export function toSiteReportCsv(rows: SiteReportRow[]): string {
  return Papa.unparse(
    {
      fields: columns.map(([, title]) => title),
      data: rows.map((r) => columns.map(([key]) => (key === 'tags' ? r.tags.join(',') : (r[key] ?? '')))),
    },
    { newline: '\n', escapeFormulae: formulaStart },
  );
}
