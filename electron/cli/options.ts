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

/** What a command produced: the JSON document, the human text, and the exit code. */
export interface Outcome {
  json: unknown;
  text: string;
  exitCode?: number;
}

/** Runs a command's work with the app's services opened for it (and closed after). */
export type Runner = (
  work: (app: import('../services/fieldclaim').Fieldclaim, global: GlobalOptions) => Promise<Outcome>,
) => Promise<void>;

/** For repeatable options (`--tag a --tag b`). */
export const collect = (value: string, previous: string[]) => [...previous, value];

export function positiveInt(name: string) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0)
      throw new CodedError('invalid-argument', text.wholeNumber(name, value));
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
