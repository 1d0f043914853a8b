/** A word for POSIX sh: single-quoted, any `'` in it closed, escaped and reopened. */
export const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
