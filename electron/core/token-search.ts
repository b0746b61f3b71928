/**
 * Finds text shaped like an attestation token (`<40+ base64url>.<40+ base64url>`) in one pass.
 * A regular expression such as /[A-Za-z0-9_-]{40,}\.[A-Za-z0-9_-]{40,}/ retries from every start
 * position of a long run without a dot: 16 KiB of base64-like log text took 0.67 s a line, so a
 * chatty board could hide its token past the read's deadline. This walks each run once.
 */

const MIN_PART = 40;
const runs = /[A-Za-z0-9_.-]+/g;

export interface TokenSpan {
  start: number;
  end: number;
}

/** Every non-overlapping token-shaped span, left to right. */
export function tokenSpans(text: string): TokenSpan[] {
  const spans: TokenSpan[] = [];
  for (const run of text.matchAll(runs)) {
    const parts = run[0].split('.');
    let at = run.index;
    for (let i = 0; i < parts.length; i++) {
      const first = parts[i]!;
      const second = parts[i + 1];
      if (second !== undefined && first.length >= MIN_PART && second.length >= MIN_PART) {
        const end = at + first.length + 1 + second.length;
        spans.push({ start: at, end });
        at = end + 1;
        i++; // the second part is used up
        continue;
      }
      at += first.length + 1;
    }
  }
  return spans;
}

/** The first token-shaped text in a line, or null. */
export function findTokenCandidate(text: string): string | null {
  const [span] = tokenSpans(text);
  return span ? text.slice(span.start, span.end) : null;
}

/** The text with every token-shaped span replaced. */
export function replaceTokens(text: string, replace: (token: string) => string): string {
  let out = '';
  let at = 0;
  for (const { start, end } of tokenSpans(text)) {
    out += text.slice(at, start) + replace(text.slice(start, end));
    at = end;
  }
  return out + text.slice(at);
}
