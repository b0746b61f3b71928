import { describe, expect, it } from 'vitest';
import {
  attestTokenQuery,
  classifyFinalLine,
  describeAtError,
  firmwareQuery,
  imeiQuery,
  isUnsolicited,
  stripAnsi,
} from '../../electron/core/at-response';

describe('AT final lines', () => {
  it('matches OK and ERROR only as whole trimmed lines', () => {
    expect(classifyFinalLine('OK')).toEqual({ kind: 'ok' });
    expect(classifyFinalLine('  OK\r')).toEqual({ kind: 'ok' });
    expect(classifyFinalLine('ERROR')).toMatchObject({ kind: 'error' });
    // A token body can contain the letters OK; a log line can mention ERROR.
    expect(classifyFinalLine('2dn3hQFQOKabc.0oRD')).toBeNull();
    expect(classifyFinalLine('<err> modem: ERROR while attaching')).toBeNull();
    expect(classifyFinalLine('OK ')).toEqual({ kind: 'ok' });
  });

  it('reads +CME ERROR codes', () => {
    expect(classifyFinalLine('+CME ERROR: 514')).toEqual({
      kind: 'error',
      cmeCode: 514,
      line: '+CME ERROR: 514',
    });
  });

  it('explains an unsupported %ATTESTTOKEN as old modem firmware', () => {
    const final = classifyFinalLine('+CME ERROR: 0');
    if (final?.kind !== 'error') throw new Error('expected an error line');
    expect(describeAtError(attestTokenQuery, final)).toMatch(/modem firmware.*2\.0/);
  });
});

describe('AT answers', () => {
  it('takes the token between the quotes', () => {
    expect(attestTokenQuery.match('%ATTESTTOKEN: "abc.def"')).toBe('abc.def');
    expect(attestTokenQuery.match('%XTIME: "abc"')).toBeUndefined();
  });

  it('takes a 15-digit IMEI, bare or in +CGSN form', () => {
    expect(imeiQuery.match('351358815178345')).toBe('351358815178345');
    expect(imeiQuery.match('+CGSN: "351358815178345"')).toBe('351358815178345');
    expect(imeiQuery.match('+CEREG: 2,"76C1"')).toBeUndefined();
    expect(imeiQuery.match('3513588151783')).toBeUndefined();
  });

  it('does not take unsolicited codes or log lines as a bare answer', () => {
    expect(firmwareQuery.match('mfw_nrf91x1_2.0.2')).toBe('mfw_nrf91x1_2.0.2');
    expect(firmwareQuery.match('+CEREG: 2,"76C1","0102DA04",7')).toBeUndefined();
    expect(firmwareQuery.match('%XTIME: "4A","42"')).toBeUndefined();
    expect(firmwareQuery.match('[00:00:03.512,000] <inf> app: starting')).toBeUndefined();
    expect(isUnsolicited('#XNRFPROV: -2')).toBe(true);
  });

  it('strips ANSI colour escapes', () => {
    expect(stripAnsi('\x1b[1;32muart:~$ \x1b[mOK')).toBe('uart:~$ OK');
  });
});
