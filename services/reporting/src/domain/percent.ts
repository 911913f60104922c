/** `part` of `whole` in percent with one decimal; null when there is nothing to divide. */
export const percent = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 1000) / 10;
