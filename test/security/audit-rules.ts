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

/** A HIGH (or CRITICAL) finding fails unless an allow-list entry names its check and file with a reason. */
export function judge(findings: Finding[], allow: AllowEntry[]): Judgement {
  const judgement: Judgement = { failing: [], allowed: [], reported: [] };
  for (const finding of findings) {
    const entry = allow.find(
      (a) => a.check === finding.check && finding.file.includes(a.file) && a.reason.trim().length > 10,
    );
    if (entry) judgement.allowed.push({ finding, reason: entry.reason });
    else if (/^(HIGH|CRITICAL)$/i.test(finding.severity)) judgement.failing.push(finding);
    else judgement.reported.push(finding);
  }
  return judgement;
}
