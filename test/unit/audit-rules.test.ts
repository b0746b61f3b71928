import { describe, expect, it } from 'vitest';
import { judge } from '../security/audit-rules';

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
