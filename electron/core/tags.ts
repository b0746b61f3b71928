/** The tag rule lives in shared/ (the window checks a field as it is typed); core re-exports it. */
export { normalizeTags, appliedTags, type TagCheck } from '../shared/tags';
