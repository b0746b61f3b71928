/** Findings from a security scanner and what the project has written down about them. */
export interface Finding {
  check: string;
  severity: string;
  file: string;
  location: string;
  description: string;
}

export interface AllowEntry {
  check: string;
  /** Substring of the file path the entry covers. */
  file: string;
  reason: string;
}

export interface Judgement {
  failing: Finding[];
  allowed: Array<{ finding: Finding; reason: string }>;
  reported: Finding[];
}

const known = /^(INFO(RMATIONAL)?|LOW|MODERATE|MEDIUM|HIGH|CRITICAL)$/i;

/**
 * A HIGH (or CRITICAL) finding fails unless an allow-list entry names its check and file with a
 * reason. A severity the gate does not know fails too: a scanner that changed its words must not
 * slip a HIGH through as something unrecognised.
 */
export function judge(findings: Finding[], allow: AllowEntry[]): Judgement {
  const judgement: Judgement = { failing: [], allowed: [], reported: [] };
  for (const finding of findings) {
    const entry = allow.find(
      (a) => a.check === finding.check && finding.file.includes(a.file) && a.reason.trim().length > 10,
    );
    if (!known.test(finding.severity.trim())) judgement.failing.push(finding);
    else if (entry) judgement.allowed.push({ finding, reason: entry.reason });
    else if (/^(HIGH|CRITICAL)$/i.test(finding.severity.trim())) judgement.failing.push(finding);
    else judgement.reported.push(finding);
  }
  return judgement;
}

/** The packages the shipped app contains: the runtime dependencies, the libraries bundled into it, and theirs. */
export function shippedPackages(
  tree: { dependencies?: Record<string, { dependencies?: Record<string, unknown> }> },
  roots: string[],
): Set<string> {
  const found = new Set<string>();
  const walk = (name: string, node: { dependencies?: Record<string, unknown> } | undefined) => {
    if (found.has(name)) return;
    found.add(name);
    for (const [child, sub] of Object.entries(node?.dependencies ?? {}))
      walk(child, sub as { dependencies?: Record<string, unknown> });
  };
  for (const name of roots) walk(name, tree.dependencies?.[name]);
  return found;
}

/** The audit cannot say whether something fails: it fails as a whole. */
export class AuditError extends Error {}

/** The scanner's finding, as its programmatic API gives it. */
interface ScannerIssue {
  id: string;
  severity?: { name?: string };
  file: string;
  location?: { line?: number; column?: number };
  description?: string;
}

/**
 * electronegativity's result as findings. A run that gave no result, or could not read a file,
 * is a failed audit, never an empty one.
 */
export function scannerFindings(result: unknown, name: (file: string) => string = (f) => f): Finding[] {
  const run = result as { issues?: unknown; errors?: unknown } | null | undefined;
  if (!Array.isArray(run?.issues)) throw new AuditError('electronegativity gave no result');
  const errors = Array.isArray(run.errors) ? (run.errors as Array<{ file: string; message: string }>) : [];
  if (errors.length)
    throw new AuditError(
      `electronegativity could not read ${errors.map((e) => `${name(e.file)} (${e.message})`).join(', ')}`,
    );
  return (run.issues as ScannerIssue[]).map((i) => ({
    check: i.id,
    severity: i.severity?.name ?? '',
    file: i.file,
    location: `${i.location?.line ?? '?'}:${i.location?.column ?? '?'}`,
    description: i.description ?? '',
  }));
}
