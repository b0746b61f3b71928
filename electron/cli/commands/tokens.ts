import { writeFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { CodedError } from '../../shared/result';
import { exitCodes } from '../exit-codes';
import { collect, type Runner } from '../options';
import { formatImport, text } from '../text';

/** Token files in and out, and the report for support. */
export function registerTokenFiles(program: Command, run: Runner): void {
  program
    .command('import <file>')
    .description("queue claims from a token CSV (bulk format, or the gather tool's output)")
    .option('--tag <tag>', 'tag to add to every row (repeatable)', collect, [])
    .action((file: string, opts: { tag: string[] }) =>
      run(async (app) => {
        const progress = process.stderr.isTTY
          ? (f: number) => process.stderr.write(text.importProgress(f))
          : undefined;
        const result = await app.imports.importFile(file, opts.tag, progress);
        if (progress) process.stderr.write('\n');
        return {
          json: result,
          text: formatImport(file, result),
          // Rows were refused: bad input, said row by row (the valid rows are queued).
          exitCode: result.rejected.length ? exitCodes.usage : exitCodes.success,
        };
      }),
    );

  program
    .command('export <file>')
    .description('write pending claims as CSV (--what queue), or the site report (--what devices)')
    .addOption(new Option('--what <what>').choices(['queue', 'devices']).default('queue'))
    .addOption(
      new Option(
        '--format <format>',
        "bulk: the service's bulk format; gather: what Nordic's claim_devices reads",
      )
        .choices(['bulk', 'gather'])
        .default('bulk'),
    )
    .action((file: string, opts: { what: 'queue' | 'devices'; format: 'bulk' | 'gather' }) =>
      run(async (app) => {
        if (opts.format === 'gather' && opts.what !== 'queue')
          throw new CodedError('invalid-argument', text.gatherOnlyQueue);
        const { rows, csv, notes } =
          opts.what === 'devices'
            ? { ...app.status.siteReport(), notes: [] }
            : opts.format === 'gather'
              ? app.imports.exportQueueGather()
              : { ...app.imports.exportQueue(), notes: [] };
        writePrivate(file, csv);
        return {
          json: notes.length ? { rows, file, notes } : { rows, file },
          text: text.exported(rows, file, notes),
        };
      }),
    );

  program
    .command('diagnostics <file>')
    .description('save the diagnostics report for support (no key, no whole token)')
    .action((file: string) =>
      run(async (app) => {
        const report = await app.status.diagnostics();
        writePrivate(file, report.text);
        return { json: { file, bytes: Buffer.byteLength(report.text) }, text: text.diagnosticsSaved(file) };
      }),
    );
}

/** Files with tokens or a station's history are for their owner only. */
function writePrivate(file: string, content: string): void {
  try {
    writeFileSync(file, content, { mode: 0o600 });
  } catch (err) {
    throw new CodedError('invalid-argument', text.cannotWrite(file, (err as Error).message));
  }
}
