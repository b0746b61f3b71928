/** Rounded for the results file. */
export const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The middle value of a set of runs (the upper middle of an even count); NaN for none. */
export const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
