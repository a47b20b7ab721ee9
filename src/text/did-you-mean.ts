/** "Did you mean …?" for names typed by hand (flags, config keys, fields, dimensions): the closest known name. */

/** The fewest single-character insertions, deletions and substitutions that turn `a` into `b`. */
export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * As `levenshtein`, with two adjacent characters swapped counting as one edit (optimal string alignment): `scroe` is
 * one slip from `score`, not two.
 */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      let distance = Math.min(rows[i - 1]![j]! + 1, current[j - 1]! + 1, rows[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) distance = Math.min(distance, rows[i - 2]![j - 2]! + 1);
      current.push(distance);
    }
    rows.push(current);
  }
  return rows[a.length]![b.length]!;
}

/**
 * The known name closest to `typed`, case ignored (a wrong case is the likeliest slip), when at most a third of its
 * characters (at least one) need changing (a swap of two neighbours is one change); `undefined` when none is that close. Ties go to the first name given.
 */
export function didYouMean(typed: string, known: Iterable<string>): string | undefined {
  const allowed = Math.max(1, Math.floor(typed.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(typed.toLowerCase(), name.toLowerCase());
    if (distance <= allowed && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** ` (did you mean "x"?)` to end a message, or nothing. */
export function didYouMeanHint(typed: string, known: Iterable<string>): string {
  const closest = didYouMean(typed, known);
  return closest === undefined ? '' : ` (did you mean "${closest}"?)`;
}
