/**
 * `npm run package:dry`: the files electron-builder would put in the package (its `files` globs
 * over the project, plus the production dependencies), without building an installer. Fails if a
 * simulator, a test fixture or a source map with absolute paths would ship.
 *   tsx test/packaging/package-dry.ts [--config electron-builder.json] [--quiet]
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import picomatch from 'picomatch';

const root = resolve(__dirname, '../..');

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === '.git' ? [] : walk(path);
    return [relative(root, path)];
  });
}

/** electron-builder's `files`: include patterns, with `!` patterns excluding. */
export function selectFiles(patterns: string[], candidates: string[]): string[] {
  const include = patterns.filter((p) => !p.startsWith('!'));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const isIncluded = picomatch(include, { dot: true });
  const isExcluded = exclude.length ? picomatch(exclude, { dot: true }) : () => false;
  return candidates.filter((f) => isIncluded(f) && !isExcluded(f));
}

const forbidden: Array<[RegExp, string]> = [
  [/(^|\/)test\//, 'test code'],
  [/(^|\/)bench\//, 'benchmark code'],
  [/fixtures?\//, 'a test fixture'],
  [/(api|modem)-sim/, 'a simulator'],
];

export function problems(files: string[], read: (file: string) => string): string[] {
  const found: string[] = [];
  for (const file of files) {
    for (const [pattern, what] of forbidden)
      if (pattern.test(file)) found.push(`${file}: ${what} would ship`);
    if (file.endsWith('.map') && /"(sources|sourceRoot)"[^\]]*"(\/|[A-Za-z]:\\\\)/.test(read(file))) {
      found.push(`${file}: a source map with absolute paths would ship`);
    }
    if (/\.(js|cjs|mjs|html)$/.test(file) && /ApiSimulator|ModemSimulator|test\/support\//.test(read(file))) {
      found.push(`${file}: contains simulator or test-support code`);
    }
  }
  return found;
}

function productionDependencies(): string[] {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: root,
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .map((l) => relative(root, l.trim()))
    .filter((l) => l.startsWith('node_modules'));
}

function main(): number {
  const args = process.argv.slice(2);
  const given = args[args.indexOf('--config') + 1];
  const configPath =
    args.includes('--config') && given ? resolve(given) : join(root, 'electron-builder.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as { files: string[] };
  const files = selectFiles(config.files, walk(root));
  const modules = productionDependencies();
  if (!files.some((f) => f.startsWith('out/main/'))) {
    console.error('package:dry: out/main is missing: run `npm run build` first');
    return 2;
  }
  if (!args.includes('--quiet')) {
    for (const f of files) console.log(f);
    for (const m of modules) console.log(`${m}/ (production dependency)`);
  }
  const found = problems(files, (f) =>
    statSync(join(root, f)).size < 20_000_000 ? readFileSync(join(root, f), 'utf8') : '',
  );
  for (const p of found) console.error(`package:dry: ${p}`);
  console.error(
    `package:dry: ${files.length} app files, ${modules.length} production dependencies; ${found.length} problem(s)`,
  );
  return found.length ? 1 : 0;
}

if (require.main === module) process.exitCode = main();
