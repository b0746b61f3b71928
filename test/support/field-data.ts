import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Real artifacts from Nordic's tools (../shared/field-data, see its README), read in place: never
 * copied into this repository. FIELDCLAIM_FIELD_DATA points elsewhere. Without them the suites that
 * need them (describeFieldData, ./field-data-suite.ts) are skipped with one line, unless
 * FIELDCLAIM_REQUIRE_FIELD_DATA=1 (CI), which fails them. Free of vitest: the bench reads it too.
 */
export const fieldDataDir = process.env.FIELDCLAIM_FIELD_DATA
  ? resolve(process.env.FIELDCLAIM_FIELD_DATA)
  : resolve(__dirname, '../../../shared/field-data');

/** Whether the field data is there; when it is not, whether its tests must fail rather than skip. */
export const fieldDataPresent = existsSync(fieldDataDir);
export const fieldDataRequired = process.env.FIELDCLAIM_REQUIRE_FIELD_DATA === '1';

export const fieldDataPath = (...parts: string[]): string => join(fieldDataDir, ...parts);

/** The names of the files in one folder of the field data that end in `ext`, sorted. */
export function fieldDataFiles(folder: string, ext: string): string[] {
  return readdirSync(fieldDataPath(folder))
    .filter((name) => name.endsWith(ext))
    .sort();
}

export function readFieldJson<T>(...parts: string[]): T {
  return JSON.parse(readFileSync(fieldDataPath(...parts), 'utf8')) as T;
}

/** tokens/tokens.json */
export interface FieldToken {
  name: string;
  token: string;
  source: string;
  valid: boolean;
  deviceId?: string;
  deviceType?: number;
  firmwareUuid?: string;
  why?: string;
}

/** serial/profiles/*.json: what a board answers, for a pty stand-in (test/support/profile-device.ts). */
export interface SerialProfile {
  kind: 'at' | 'shell';
  prompt?: string;
  /** A shell without the `at` command. */
  no_at?: boolean;
  source: string;
  /** AT command → the modem's answer. */
  answers: Record<string, string>;
  /** Whole shell command lines → what the shell prints. */
  commands?: Record<string, string>;
  expect: {
    dialect?: string;
    imei?: string | null;
    model?: string;
    firmware?: string;
    deviceId?: string;
    deviceType?: string;
    warning?: string;
    error?: string;
    how?: string;
  };
}

/** usb/nrfcredstore-port-fixtures.json: pyserial port lists and what Nordic's tool picks from them. */
export interface NordicPortList {
  ports: Array<{ device: string; hwid: string }>;
  nordic_main_ports: Array<{ name: string; serial: string | number; device: string }>;
  nordic_product_names: Record<string, string>;
}

/** usb/nordic-usb-patterns.json */
export interface NordicUsbPattern {
  serial_prefix: string;
  name: string;
  main_port_index: number;
}
