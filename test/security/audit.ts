/**
 * The security audit of the test command: electronegativity over the built app, and `npm audit`
 * of everything that ships (runtime dependencies and the libraries bundled into the app). Exits
 * non-zero on a HIGH/CRITICAL finding not written down, with a reason, in the allow-lists beside
 * this file, and whenever the scanner fails, its report does not parse, or a severity is unknown.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { transform } from 'esbuild';
import {
  AuditError,
  judge,
  scannerFindings,
  shippedPackages,
  type AllowEntry,
  type Finding,
} from './audit-rules';

/** Pinned: a scanner that changes under us could change what passes. */
const SCANNER = '@doyensec/electronegativity@1.10.3';

/** Libraries the build bundles into the app (devDependencies that ship inside out/). */
const BUNDLED = ['cbor-x', 'papaparse', 'zod', 'commander', 'svelte', 'undici'];

const root = resolve(__dirname, '../..');
const here = __dirname;
const allow = (file: string) =>
  (JSON.parse(readFileSync(join(here, file), 'utf8')) as { entries: AllowEntry[] }).entries;

/** Installs the pinned scanner (apart: it is a scanner, not a dependency of the app) and loads it. */
function loadScanner(): (options: Record<string, unknown>) => Promise<unknown> {
  const tools = join(root, 'node_modules/.cache/fieldclaim-audit');
  const installed = join(tools, 'node_modules/@doyensec/electronegativity/package.json');
  const version = existsSync(installed)
    ? (JSON.parse(readFileSync(installed, 'utf8')) as { version: string }).version
    : null;
  if (version !== SCANNER.split('@').at(-1)) {
    mkdirSync(tools, { recursive: true });
    execFileSync(
      'npm',
      ['install', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', tools, SCANNER],
      { stdio: 'inherit' },
    );
  }
  const runner = createRequire(installed)('./dist/runner.js') as { default?: unknown };
  return (runner.default ?? runner) as ReturnType<typeof loadScanner>;
}

/**
 * The built app as the scanner can read it: its parser stops at class private fields (`#x`, in
 * the renderer bundle and in undici) and skips such a file silently. A copy lowered to ES2019 by
 * esbuild (the same code, older syntax) is scanned instead, and a file it still cannot read fails.
 */
async function lowered(out: string): Promise<string> {
  const copy = mkdtempSync(join(tmpdir(), 'fieldclaim-scan-'));
  cpSync(out, copy, { recursive: true });
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? walk(join(dir, e.name)) : /\.c?js$/.test(e.name) ? [join(dir, e.name)] : [],
    );
  for (const file of walk(copy)) {
    const { code } = await transform(readFileSync(file, 'utf8'), { loader: 'js', target: 'es2019' });
    writeFileSync(file, code);
  }
  return copy;
}

async function electronegativity(): Promise<Finding[]> {
  const run = loadScanner();
  const electron = (
    JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')) as { version: string }
  ).version;
  const input = await lowered(join(root, 'out'));
  try {
    // Through its API: its CSV report is written racily (rows come out cut or interleaved).
    return scannerFindings(
      await run({ input, isRelative: true, electronVersionOverride: electron }),
      (file) => relative(input, file),
    );
  } catch (err) {
    if (err instanceof AuditError) throw err;
    throw new AuditError(`electronegativity failed (${(err as Error).message})`);
  } finally {
    rmSync(input, { recursive: true, force: true });
  }
}

/** Advisories in what ships, or why the advisory service could not be asked. */
function npmAudit(): { findings: Finding[] } | { unavailable: string } {
  const runtime = Object.keys(
    (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> })
      .dependencies,
  );
  const tree = JSON.parse(
    spawnSync('npm', ['ls', '--all', '--json'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
      .stdout,
  ) as Parameters<typeof shippedPackages>[0];
  const shipped = shippedPackages(tree, [...runtime, ...BUNDLED]);
  const result = spawnSync('npm', ['audit', '--json'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  let body: {
    vulnerabilities?: Record<string, { severity: string; via: unknown[] }>;
    message?: string;
    error?: { summary?: string };
  };
  try {
    body = JSON.parse(result.stdout) as typeof body;
  } catch {
    return { unavailable: result.stderr.trim().split('\n')[0] ?? 'no answer' };
  }
  if (!body.vulnerabilities) return { unavailable: body.message ?? body.error?.summary ?? 'no report' };
  return {
    findings: Object.entries(body.vulnerabilities)
      .filter(([name]) => shipped.has(name))
      .map(([name, v]) => ({
        check: name,
        severity: v.severity,
        file: name,
        location: '',
        description: JSON.stringify(v.via).slice(0, 200),
      })),
  };
}

async function main(): Promise<number> {
  let failed = 0;
  let findings: Finding[];
  try {
    findings = await electronegativity();
  } catch (err) {
    if (!(err instanceof AuditError)) throw err;
    console.log(`electronegativity: ${err.message}: the audit FAILS`);
    return 1;
  }
  const scan = judge(findings, allow('electronegativity-allow.json'));
  for (const f of scan.reported)
    console.log(`electronegativity: ${f.severity} ${f.check} ${f.file}:${f.location} (reported)`);
  for (const a of scan.allowed)
    console.log(`electronegativity: ${a.finding.check} ${a.finding.file} allowed: ${a.reason}`);
  for (const f of scan.failing)
    console.log(
      `electronegativity: ${f.severity} ${f.check} ${f.file}:${f.location} FAILS: ${f.description}`,
    );
  failed += scan.failing.length;

  const audit = npmAudit();
  if ('unavailable' in audit) {
    console.log(
      `npm audit: the advisory service could not be asked (${audit.unavailable}); runtime dependencies NOT audited`,
    );
  } else {
    const judged = judge(audit.findings, allow('npm-audit-allow.json'));
    for (const f of judged.failing)
      console.log(`npm audit: ${f.severity} advisory in ${f.check} FAILS: ${f.description}`);
    console.log(
      `npm audit: ${audit.findings.length} advisories in what ships (runtime and bundled libraries), ${judged.failing.length} failing`,
    );
    failed += judged.failing.length;
  }
  console.log(failed ? `security audit: ${failed} finding(s) fail` : 'security audit: nothing fails');
  return failed ? 1 : 0;
}

void main().then((code) => (process.exitCode = code));
