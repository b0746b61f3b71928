import { describe, expect, it } from 'vitest';
import { judge, shippedPackages } from '../security/audit-rules';

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
