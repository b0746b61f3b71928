import { describe, expect, it } from 'vitest';
import {
  provisioningTokenQuery,
  provisioningUuidQuery,
  shellCommandFailure,
} from '../../electron/core/provisioning-shell';
import { makeToken } from '../support/tokens';

describe("the nRF provisioning shell's answers", () => {
  const { token, deviceId } = makeToken();

  it('takes a line that is a whole token, or a whole UUID, and nothing else', () => {
    expect(provisioningTokenQuery.match(token)).toBe(token);
    expect(provisioningTokenQuery.match(`[00:00:01.000,000] <inf> app: ${token}`)).toBeUndefined();
    expect(provisioningTokenQuery.match('')).toBeUndefined();
    expect(provisioningUuidQuery.match(deviceId.toUpperCase())).toBe(deviceId);
    expect(provisioningUuidQuery.match(`uuid ${deviceId}`)).toBeUndefined();
  });

  it("reads the command's own failure line as a failure, saying what to do", () => {
    expect(shellCommandFailure(provisioningTokenQuery, 'Failed to get token, err -5')).toMatch(
      /`nrf_provisioning token` failed on the board \(err -5\).*reset the board/,
    );
    expect(shellCommandFailure(provisioningUuidQuery, 'Failed to get UUID, err 65536')).toMatch(/err 65536/);
    expect(shellCommandFailure(provisioningTokenQuery, token)).toBeNull();
  });
});
