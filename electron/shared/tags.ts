/**
 * Tag rules, in one place for the window, the CLI and imports: 1 to 100 characters, trimmed, no
 * duplicates. In shared (not core) because the window checks a tag field as it is typed, with the
 * very rule the main process applies when the read or import happens.
 */
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

/** A tag field as people type it: tags separated by commas, checked by the same rule. */
export const parseTagText = (text: string): TagCheck => normalizeTags(text.split(','));

/** Tags as one field's text, the way parseTagText reads them back. */
export const tagText = (tags: readonly string[]): string => tags.join(', ');

/**
 * The tags a device gets when it enters the queue, however it enters (a read, the watch, "read
 * all", an import): the site's, then the session's, then those given for this one operation.
 */
export function appliedTags(
  site: readonly string[],
  session: readonly string[],
  extra: readonly string[] = [],
) {
  return normalizeTags([...site, ...session, ...extra]);
}
