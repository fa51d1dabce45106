/**
 * The order the compiler sorts names in (tenant files, environments, placement's capacity order):
 * String.prototype.localeCompare's without a locale. localeCompare makes a collator on every call
 * (ECMA-402: `new Intl.Collator(undefined, undefined)`); one collator made once compares the same,
 * several times faster over the thousands of names of a fleet.
 */
const collator = new Intl.Collator();

export const compareNames: (a: string, b: string) => number = collator.compare;
