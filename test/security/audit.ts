/**
 * The security audit of the test command: electronegativity over the built app, and `npm audit`
 * of the runtime dependencies. Exits non-zero on a HIGH/CRITICAL finding not written down, with a
 * reason, in the allow-lists beside this file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Papa from 'papaparse';
import { judge, type AllowEntry, type Finding } from './audit-rules';

const root = resolve(__dirname, '../..');
const here = __dirname;
const allow = (file: string) =>
  (JSON.parse(readFileSync(join(here, file), 'utf8')) as { entries: AllowEntry[] }).entries;

function electronegativity(): Finding[] {
  // Installed apart (it is a scanner, not a dependency of the app), into an ignored cache.
  const tools = join(root, 'node_modules/.cache/fieldclaim-audit');
  const bin = join(tools, 'node_modules/.bin/electronegativity');
  if (!existsSync(bin)) {
    mkdirSync(tools, { recursive: true });
    execFileSync(
      'npm',
      [
        'install',
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--prefix',
        tools,
        '@doyensec/electronegativity@1',
      ],
      {
        stdio: 'inherit',
      },
    );
  }
  const report = join(tools, 'report.csv');
  const electron = (
    JSON.parse(readFileSync(join(root, 'node_modules/electron/package.json'), 'utf8')) as { version: string }
  ).version;
  // It always exits 0: the report is what counts.
  spawnSync(bin, ['-i', join(root, 'out'), '-o', report, '-r', '-v', 'false', '-e', electron], {
    stdio: 'ignore',
  });
  if (!existsSync(report)) throw new Error('electronegativity wrote no report');
  const rows = Papa.parse<Record<string, string>>(readFileSync(report, 'utf8'), {
    header: true,
    skipEmptyLines: true,
    transformHeader: (h) => h.trim(),
  }).data;
  return rows.map((r) => ({
    check: r.issue ?? '',
    severity: r.severity ?? '',
    file: r.filename ?? '',
    location: r.location ?? '',
    description: r.description ?? '',
  }));
}

/** High and critical advisories in runtime dependencies, or null when the advisory service cannot be reached. */
function npmAudit(): { findings: Finding[] } | { unavailable: string } {
  const result = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd: root, encoding: 'utf8' });
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
    findings: Object.entries(body.vulnerabilities).map(([name, v]) => ({
      check: name,
      severity: v.severity,
      file: name,
      location: '',
      description: JSON.stringify(v.via).slice(0, 200),
    })),
  };
}

function main(): number {
  let failed = 0;
  const scan = judge(electronegativity(), allow('electronegativity-allow.json'));
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
      `npm audit: ${audit.findings.length} advisories in runtime dependencies, ${judged.failing.length} failing`,
    );
    failed += judged.failing.length;
  }
  console.log(failed ? `security audit: ${failed} finding(s) fail` : 'security audit: nothing fails');
  return failed ? 1 : 0;
}

process.exitCode = main();
