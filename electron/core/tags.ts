/** Tag rules, in one place for the UI, the CLI and imports: 1 to 100 characters, trimmed, no duplicates. */
export const MAX_TAG_LENGTH = 100;

export type TagCheck = { ok: true; tags: string[] } | { ok: false; reason: string };

export function normalizeTags(input: readonly string[]): TagCheck {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const raw of input) {
    const tag = raw.trim();
    if (tag.length === 0) continue;
    if (tag.length > MAX_TAG_LENGTH) {
      return {
        ok: false,
        reason: `tag "${tag.slice(0, 20)}…" is ${tag.length} characters; at most ${MAX_TAG_LENGTH}`,
      };
    }
    if (tag.includes(','))
      return { ok: false, reason: `tag "${tag}" contains a comma, which separates tags` };
    if (!seen.has(tag)) {
      seen.add(tag);
      tags.push(tag);
    }
  }
  return { ok: true, tags };
}
