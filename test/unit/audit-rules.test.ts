import { describe, expect, it } from 'vitest';
import { AuditError, judge, scannerFindings, shippedPackages } from '../security/audit-rules';

const high = {
  check: 'NODE_INTEGRATION_HTML_CHECK',
  severity: 'HIGH',
  file: 'main/index.js',
  location: '1:1',
  description: 'x',
};
const low = { ...high, check: 'CSP_GLOBAL_CHECK', severity: 'LOW' };

describe('the security audit judgement', () => {
  it('fails a high finding that nobody wrote down, and only reports lower ones', () => {
    expect(judge([high, low], [])).toMatchObject({ failing: [high], reported: [low], allowed: [] });
  });
  it('accepts a high finding listed with a real reason, but not one without', () => {
    expect(
      judge(
        [high],
        [{ check: high.check, file: 'main/', reason: 'the check misreads a string constant as a setting' }],
      ).failing,
    ).toEqual([]);
    expect(judge([high], [{ check: high.check, file: 'main/', reason: 'ok' }]).failing).toEqual([high]);
    expect(
      judge([high], [{ check: 'OTHER', file: 'main/', reason: 'a long enough reason here' }]).failing,
    ).toEqual([high]);
  });
});

describe('what the audit gate will not let through', () => {
  it('fails as a whole when the scanner gives no result or could not read a file', () => {
    for (const nothing of [undefined, null, {}, { issues: 'x' }])
      expect(() => scannerFindings(nothing)).toThrow(new AuditError('electronegativity gave no result'));
    expect(() =>
      scannerFindings({
        issues: [],
        errors: [{ file: '/tmp/x/main/index.js', message: 'Unexpected token' }],
      }),
    ).toThrow(/could not read \/tmp\/x\/main\/index.js \(Unexpected token\)/);
    expect(
      scannerFindings({
        issues: [{ id: 'CSP_GLOBAL_CHECK', severity: { name: 'LOW' }, file: 'a.js', location: { line: 3 } }],
        errors: [],
      }),
    ).toEqual([
      { check: 'CSP_GLOBAL_CHECK', severity: 'LOW', file: 'a.js', location: '3:?', description: '' },
    ]);
    // A finding without a severity is judged as unknown: it fails.
    expect(
      judge(scannerFindings({ issues: [{ id: 'X', file: 'a.js' }], errors: [] }), []).failing,
    ).toHaveLength(1);
  });

  it('fails a finding whose severity it does not know (a mangled report row, a renamed level)', () => {
    const mangled = { ...high, check: 'o parse CSP', severity: ' it may not be valid."' };
    expect(judge([mangled], []).failing).toEqual([mangled]);
    expect(judge([{ ...low, severity: 'SEVERE' }], []).failing).toHaveLength(1);
    expect(judge([{ ...low, severity: 'moderate' }], []).failing).toEqual([]);
  });

  it('audits what ships: the runtime dependencies, the bundled libraries, and everything they pull in', () => {
    const tree = {
      dependencies: {
        'better-sqlite3': { dependencies: { bindings: { dependencies: { 'file-uri-to-path': {} } } } },
        papaparse: {},
        vitest: { dependencies: { vite: {} } },
      },
    };
    expect([...shippedPackages(tree, ['better-sqlite3', 'papaparse'])].sort()).toEqual([
      'better-sqlite3',
      'bindings',
      'file-uri-to-path',
      'papaparse',
    ]);
  });
});
