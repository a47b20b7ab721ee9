/**
 * "Did you mean …?" for a name the user typed: the closest known name by edit distance (Levenshtein, case-insensitive),
 * when it is close enough to be a typo (at most a third of the longer name's length, and at most 3 edits).
 * Hand-written: twenty lines, and the npm candidates (fastest-levenshtein, leven) would add a dependency for one loop.
 */
export function closestName(typed: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const distance = editDistance(typed.toLowerCase(), name.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  const limit = Math.min(3, Math.ceil(Math.max(typed.length, best?.length ?? 0) / 3));
  return bestDistance <= limit ? best : undefined;
}

/** ` (did you mean "x"?)`, or nothing. */
export function didYouMean(typed: string, known: Iterable<string>): string {
  const closest = closestName(typed, known);
  return closest === undefined ? '' : ` (did you mean "${closest}"?)`;
}

export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
