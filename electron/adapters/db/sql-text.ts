// Text typed by a person, made safe to put in a query as data.

/** Text as one phrase of an FTS5 query (quotes doubled, so nothing in it is query syntax). */
export const ftsPhrase = (text: string) => `"${text.replace(/"/g, '""')}"`;

/** Text as a LIKE pattern that matches it anywhere, its own % and _ taken literally (ESCAPE '\\'). */
export const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
