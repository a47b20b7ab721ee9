/**
 * Per-pixel plurality over workers' class maps (class 0 = background), with a quorum and a tie policy; the maths is in
 * `mask-vote.ts`.
 */

export type PixelTiePolicy = 'background' | 'lowest';

export interface PixelVote {
  /** The consolidated class of each pixel. */
  classes: Uint8Array;
  /** Per class: the pixels given it, and the sum over them of the share of workers who gave it. */
  pixels: Float64Array;
  agreement: Float64Array;
  /** Pixels at least one worker labelled, and the sum over them of the share of workers who agree with the result. */
  labelledPixels: number;
  labelledAgreement: number;
  /** Pixels where classes tied at the top with a quorum. */
  tiedPixels: number;
}

/**
 * `maps` are one class map per worker, all of one size; `classCount` includes background. A non-background class wins
 * a pixel with the most votes when it has at least `quorum`; workers who left the pixel background are the "no" votes
 * that quorum counts against.
 */
export function votePixels(maps: readonly Uint8Array[], classCount: number, quorum: number, tie: PixelTiePolicy): PixelVote {
  const workers = maps.length;
  const size = maps[0]!.length;
  const classes = new Uint8Array(size);
  const pixels = new Float64Array(classCount);
  const agreement = new Float64Array(classCount);
  let labelledPixels = 0;
  let labelledAgreement = 0;
  let tiedPixels = 0;
  for (let pixel = 0; pixel < size; pixel += 1) {
    let best = 0;
    let bestVotes = 0;
    let backgroundVotes = 0;
    let tied = false;
    for (let i = 0; i < workers; i += 1) {
      const given = maps[i]![pixel]!;
      if (given === 0) {
        backgroundVotes += 1;
        continue;
      }
      let counted = false;
      for (let j = 0; j < i && !counted; j += 1) counted = maps[j]![pixel] === given;
      if (counted) continue;
      let votes = 1;
      for (let j = i + 1; j < workers; j += 1) if (maps[j]![pixel] === given) votes += 1;
      if (votes > bestVotes) {
        best = given;
        bestVotes = votes;
        tied = false;
      } else if (votes === bestVotes) {
        best = Math.min(best, given);
        tied = true;
      }
    }
    if (backgroundVotes === workers) continue;
    const tiedWithQuorum = tied && bestVotes >= quorum;
    if (tiedWithQuorum) tiedPixels += 1;
    const result = bestVotes < quorum || (tiedWithQuorum && tie === 'background') ? 0 : best;
    const share = (result === 0 ? backgroundVotes : bestVotes) / workers;
    classes[pixel] = result;
    pixels[result]! += 1;
    agreement[result]! += share;
    labelledPixels += 1;
    labelledAgreement += share;
  }
  return { classes, pixels, agreement, labelledPixels, labelledAgreement, tiedPixels };
}
