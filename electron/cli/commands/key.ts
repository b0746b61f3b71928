import type { Command } from 'commander';
import { CodedError } from '../../shared/result';
import { readStdin, type Runner } from '../options';
import { text } from '../text';

export function registerKey(program: Command, run: Runner): void {
  const key = program
    .command('key')
    .description('the API key in the OS keychain (env FIELDCLAIM_API_KEY overrides it)');
  key
    .command('set')
    .description('read the key from stdin and store it')
    .action(() =>
      run(async (app) => {
        const input = (await readStdin()).trim();
        if (!input) throw new CodedError('invalid-argument', text.noKeyOnStdin);
        const status = await app.keys.set(input);
        return {
          json: { stored: status.stored, backend: status.backend },
          text: text.keyStored(status.backend ?? 'none', status.notice),
        };
      }),
    );
  key.command('status').action(() =>
    run(async (app) => {
      const status = await app.keys.status();
      return {
        json: { stored: status.stored, backend: status.backend },
        text: text.keyStatus(status.stored, status.backend, status.notice),
      };
    }),
  );
  key.command('clear').action(() =>
    run(async (app) => {
      await app.keys.clear();
      return { json: { stored: false }, text: text.keyRemoved };
    }),
  );
}
