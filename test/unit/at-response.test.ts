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

describe('+CME ERROR codes of the security commands, in words that say what to do', () => {
  const explain = (line: string, context = {}) => {
    const final = classifyFinalLine(line);
    if (final?.kind !== 'error') throw new Error(`${line} is not an error line`);
    return describeAtError(attestTokenQuery, final, context);
  };

  it.each([
    [0, /not supported by this modem firmware.*update the modem firmware/],
    [513, /not found.*reset the board/],
    [514, /not allowed.*reset the board/],
    [515, /memory full.*delete credentials/],
    [518, /while the modem is active.*AT\+CFUN=4/],
    [519, /already exists.*delete it/],
    [520, /could not complete.*reset the board/],
    [521, /could not complete.*reset the board/],
    [522, /could not complete.*reset the board/],
    [523, /key generation failed.*reset the board/],
    [524, /could not complete.*reset the board/],
    [528, /power-off warning.*power the board/],
  ])('+CME ERROR: %i', (code, words) => {
    const message = explain(`+CME ERROR: ${code}`);
    expect(message).toMatch(words);
    expect(message).toContain(`+CME ERROR ${code}`);
  });

  it('names the modem firmware the board runs when it is too old', () => {
    expect(explain('+CME ERROR: 0', { firmware: 'mfw_nrf9160_1.2.3' })).toMatch(
      /not supported by this modem firmware \(it runs mfw_nrf9160_1\.2\.3\)/,
    );
  });

  it('takes a bare ERROR to %ATTESTTOKEN as a modem that does not know the command', () => {
    expect(explain('ERROR')).toMatch(/not supported.*\(ERROR\): update the modem firmware/);
  });

  it('still says what to try for a code it does not know', () => {
    expect(explain('+CME ERROR: 999')).toMatch(/\+CME ERROR: 999.*reset the board/);
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
