/** The tag rule lives in shared/ (the window checks a field as it is typed); core re-exports it. */
export {
  MAX_TAG_LENGTH,
  normalizeTags,
  parseTagText,
  appliedTags,
  tagProblem,
  type TagCheck,
} from '../shared/tags';
