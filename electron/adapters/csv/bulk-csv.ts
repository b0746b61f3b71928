import Papa from 'papaparse';

/**
 * The service's bulk format: no header, the token in column 1, the device's tags as ONE quoted,
 * comma-separated field in column 2. LF line endings (the service accepts CRLF and LF).
 */
export function toBulkCsv(rows: ReadonlyArray<{ token: string; tags: readonly string[] }>): string {
  return Papa.unparse(
    rows.map((r) => (r.tags.length ? [r.token, r.tags.join(',')] : [r.token])),
    { newline: '\n', header: false },
  );
}
