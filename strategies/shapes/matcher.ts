/**
 * One matcher for every shape workers draw (boxes, spans, keypoints, polygons, lines): which shapes of different
 * workers are the same object. CVAT's consensus merge and datumaro's IntersectMerge (`_ShapeMatcher.match_annotations`,
 * `match_segments`; wave2-anchors.md A1):
 *
 * 1. Every pair of workers (a before b) is matched greedily one to one: a's shapes in the order drawn, each taking the
 *    still unmatched shape of b most similar to it (the first on a tie) if that similarity is at least `threshold`.
 * 2. The matches are the edges of a graph whose components are the clusters, grown from each shape in worker order,
 *    breadth first. A shape joins a cluster only if no member is by its worker and its similarity to every member is
 *    at least `threshold` (CVAT's `_has_same_source`, `_is_close_enough`); otherwise it starts or joins another.
 *
 * Unlike CVAT (a Python set pops in hash order) the growth order is fixed, so the clusters depend on the input alone.
 * Labels are the caller's business: match each label's shapes apart (the default), or all shapes and vote the label.
 * Cost: O(w² · n²) similarities for w workers of n shapes each, cached, so each pair is computed once.
 */

/** One shape and who drew it (an index into the workers given to `matchShapes`). */
export interface Drawn<S> {
  worker: number;
  shape: S;
}

/** Clusters of the shapes `byWorker[w]` of each worker `w`, each cluster in the order its members joined. */
export function matchShapes<S>(byWorker: readonly (readonly S[])[], similarity: (a: S, b: S) => number, threshold: number): Drawn<S>[][] {
  const drawn: Drawn<S>[] = byWorker.flatMap((shapes, worker) => shapes.map((shape) => ({ worker, shape })));
  const first = firstIndexes(byWorker);
  const similar = cachedSimilarity(drawn, similarity);
  const edges = drawn.map((): number[] => []);
  for (let a = 0; a < byWorker.length; a += 1) {
    for (let b = a + 1; b < byWorker.length; b += 1) {
      for (const [i, j] of matchPair(first[a]!, byWorker[a]!.length, first[b]!, byWorker[b]!.length, similar, threshold)) {
        edges[i]!.push(j);
        edges[j]!.push(i);
      }
    }
  }
  const clustered = new Uint8Array(drawn.length);
  const clusters: Drawn<S>[][] = [];
  for (let seed = 0; seed < drawn.length; seed += 1) {
    if (clustered[seed]) continue;
    const members = [seed];
    clustered[seed] = 1;
    for (let next = 0; next < members.length; next += 1) {
      for (const candidate of [...edges[members[next]!]!].sort((x, y) => x - y)) {
        const fits = !clustered[candidate]
          && members.every((member) => drawn[member]!.worker !== drawn[candidate]!.worker && similar(member, candidate) >= threshold);
        if (fits) {
          members.push(candidate);
          clustered[candidate] = 1;
        }
      }
    }
    clusters.push(members.map((member) => drawn[member]!));
  }
  return clusters;
}

/** Index in the flat list of each worker's first shape. */
function firstIndexes(byWorker: readonly (readonly unknown[])[]): number[] {
  const first: number[] = [];
  let at = 0;
  for (const shapes of byWorker) {
    first.push(at);
    at += shapes.length;
  }
  return first;
}

/** Similarity of two shapes by flat index, each pair computed once. */
function cachedSimilarity<S>(drawn: readonly Drawn<S>[], similarity: (a: S, b: S) => number): (i: number, j: number) => number {
  const cache = new Map<number, number>();
  return (i, j) => {
    const key = Math.min(i, j) * drawn.length + Math.max(i, j);
    let value = cache.get(key);
    if (value === undefined) cache.set(key, (value = similarity(drawn[i]!.shape, drawn[j]!.shape)));
    return value;
  };
}

/** Greedy one-to-one matching of worker a's shapes (flat indexes `a…a+aCount`) against worker b's. */
function matchPair(
  a: number, aCount: number, b: number, bCount: number, similar: (i: number, j: number) => number, threshold: number,
): [number, number][] {
  const taken = new Uint8Array(bCount);
  const pairs: [number, number][] = [];
  for (let i = a; i < a + aCount; i += 1) {
    let best = -1;
    let bestSimilarity = -Infinity;
    for (let j = 0; j < bCount; j += 1) {
      if (taken[j]) continue;
      const value = similar(i, b + j);
      if (value >= threshold && value > bestSimilarity) {
        best = j;
        bestSimilarity = value;
      }
    }
    if (best >= 0) {
      taken[best] = 1;
      pairs.push([i, b + best]);
    }
  }
  return pairs;
}
