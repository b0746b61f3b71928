import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { firmwareQuery, imeiQuery, modelQuery } from '../../electron/core/at-response';
import { BootTokenScanner } from '../../electron/core/boot-token';
import { decodeAttestationToken, TokenError } from '../../electron/core/token';
import { fieldDataFiles, fieldDataPath, readFieldJson, type FieldToken } from '../support/field-data';
import { describeFieldData } from '../support/field-data-suite';

/** Lines as the serial line channel splits them: at CR, LF or CRLF. */
const linesOf = (path: string) => readFileSync(path, 'latin1').split(/\r\n|\r|\n/);

/** What the README says each invalid token is, as the words Fieldclaim's message must use. */
const whatItIs: Array<[RegExp, RegExp]> = [
  [/placeholder/, /placeholder/],
  [/AT%KEYGEN/, /key-generation answer \(AT%KEYGEN/],
  [/both parts|whole token/, /only the first part of a token.*signature part.*missing/],
];

describeFieldData("tokens from Nordic's tools, docs and tests (tokens/tokens.json)", () => {
  const tokens = readFieldJson<FieldToken[]>('tokens', 'tokens.json');

  it.each(tokens.filter((t) => t.valid).map((t) => [t.name, t] as const))(
    '%s decodes to the device nrfcloud-utils computes',
    (_name, t) => {
      expect(decodeAttestationToken(t.token)).toMatchObject({
        deviceId: t.deviceId,
        deviceType: t.deviceType,
        firmwareUuid: t.firmwareUuid,
      });
    },
  );

  it.each(tokens.filter((t) => !t.valid).map((t) => [t.name, t] as const))(
    '%s is refused with a message that says what it is',
    (_name, t) => {
      const words = whatItIs.find(([why]) => why.test(t.why ?? ''))?.[1];
      expect(words, `no expectation for "${t.why}"`).toBeDefined();
      let error: unknown = null;
      try {
        decodeAttestationToken(t.token);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(TokenError);
      expect((error as TokenError).fault).toBe('not-a-token');
      expect((error as TokenError).message).toMatch(words!);
    },
  );
});

describeFieldData('boot logs (serial/boot): the token each prints is found, line by line', () => {
  const tokens = readFieldJson<FieldToken[]>('tokens', 'tokens.json').filter((t) => t.valid);

  it.each(fieldDataFiles('serial/boot', '.log'))('%s', (name) => {
    const path = fieldDataPath('serial/boot', name);
    const printed = tokens.find((t) => readFileSync(path, 'latin1').includes(t.token)) ?? null;
    const scanner = new BootTokenScanner();
    const found = linesOf(path)
      .map((line) => scanner.feed(line))
      .find(Boolean);
    expect(found?.deviceId ?? null).toBe(printed?.deviceId ?? null);
  });
});

describeFieldData("an AT client session on makerdiary's nRF9151 Connect Kit", () => {
  const lines = linesOf(fieldDataPath('serial', 'makerdiary-at-client-transcript.txt'));
  /** The lines between a command's echo (`> AT+CGMM`) and its OK. */
  const answerTo = (command: string) => {
    const start = lines.indexOf(`> ${command}`);
    return lines.slice(start + 1, lines.indexOf('OK', start));
  };

  it('gives its model and modem firmware', () => {
    expect(
      answerTo('AT+CGMM')
        .map((l) => modelQuery.match(l))
        .find(Boolean),
    ).toBe('nRF9151-LACA');
    expect(
      answerTo('AT+CGMR')
        .map((l) => firmwareQuery.match(l))
        .find(Boolean),
    ).toBe('mfw_nrf91x1_2.0.2');
  });

  it('takes no IMEI from the one its author masked', () => {
    const answer = answerTo('AT+CGSN=1');
    expect(answer.join(' ')).toMatch(/\+CGSN: "\d+X+"/);
    expect(answer.map((l) => imeiQuery.match(l)).filter(Boolean)).toEqual([]);
  });
});
