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
