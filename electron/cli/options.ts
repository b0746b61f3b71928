import { CodedError } from '../shared/result';
import type { Stage } from '../shared/types';
import { text } from './text';

/** The options every command takes. */
export interface GlobalOptions {
  dataDir?: string;
  stage?: Stage;
  apiUrl?: string;
  json?: boolean;
}

/**
 * What a command produced: the JSON document, the human text, and the exit code. A long list
 * comes as `rows` instead, written out one row at a time (a JSON array, or a line each) so its
 * size never sits in memory.
 */
export type Outcome = { exitCode?: number } & (
  | { json: unknown; text: string }
  | {
      rows: Iterable<unknown>;
      line: (row: never) => string;
      /** The row as the JSON contract has it, when that is less than the text shows. */
      asJson?: (row: never) => unknown;
      empty: string;
    }
);

/** Runs a command's work with the app's services opened for it (and closed after). */
export type Runner = (
  work: (app: import('../services/fieldclaim').Fieldclaim, global: GlobalOptions) => Promise<Outcome>,
) => Promise<void>;

/** For repeatable options (`--tag a --tag b`). */
export const collect = (value: string, previous: string[]) => [...previous, value];

/** An option's whole number, at least `least`: `--limit` from 1, `--offset` from 0. */
export function intAtLeast(name: string, least: 0 | 1 = 1) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < least)
      throw new CodedError('invalid-argument', text.wholeNumber(name, value, least));
    return n;
  };
}

export function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => (data += chunk));
    process.stdin.on('end', () => resolve(data));
    process.stdin.on('error', reject);
  });
}
