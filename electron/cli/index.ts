import { enableCompileCache } from 'node:module';
import { join } from 'node:path';
import { runtimeProblem } from './node-version';

// The one entry file of `fieldclaim`. Nothing here loads a native module: on a Node.js too old for
// them the process would crash with a segmentation fault instead of saying what to do.
const problem = runtimeProblem();
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exitCode = 1;
} else {
  // The bundled code is compiled once and the bytecode kept (in the OS temp folder): every later
  // command starts faster. Best effort: a runtime without it, or a read-only temp folder, just compiles.
  try {
    enableCompileCache?.();
  } catch {
    // no cache: the same code runs, compiled as usual
  }
  void import('./program')
    .then(({ runCli }) =>
      runCli(process.argv, {
        tokenFileReader: join(__dirname, 'token-file-reader.js'),
        label: 'the command line',
      }),
    )
    .then((code) => {
      process.exitCode = code;
    });
}
