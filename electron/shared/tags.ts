/**
 * Tag rules, in one place for the window, the CLI and imports: 1 to 100 characters, trimmed, no
 * duplicates, no comma (it separates tags in the bulk format), no control characters or line
 * breaks, and not `.` or `..` (a tag name goes into a request path, where those climb out of it).
 * In shared (not core) because the window checks a tag field as it is typed, with the very rule
 * the main process applies when the read or import happens.
 */
export const MAX_TAG_LENGTH = 100;

// eslint-disable-next-line no-control-regex
const controlCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Why one (trimmed, non-empty) tag is not acceptable, or null. */
export function tagProblem(tag: string): string | null {
  if (tag.length > MAX_TAG_LENGTH)
    return `tag "${tag.slice(0, 20)}…" is ${tag.length} characters; at most ${MAX_TAG_LENGTH}`;
  if (tag.includes(',')) return `tag "${tag}" contains a comma, which separates tags`;
  if (controlCharacters.test(tag))
    return `tag "${JSON.stringify(tag).slice(1, 21)}…" contains a line break or a control character`;
  if (tag === '.' || tag === '..') return `"${tag}" cannot be a tag name`;
  return null;
}

export type TagCheck = { ok: true; tags: string[] } | { ok: false; reason: string };

export function normalizeTags(input: readonly string[]): TagCheck {
  const seen = new Set<string>();
  const tags: string[] = [];
  for (const raw of input) {
    const tag = raw.trim();
    if (tag.length === 0) continue;
    const problem = tagProblem(tag);
    if (problem) return { ok: false, reason: problem };
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
