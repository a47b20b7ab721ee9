/**
 * Shapes scored against gold, by AWS's rule for consolidated boxes (`compute_iou_bb` in aws/amazon-sagemaker-examples
 * ground_truth_od.py, wave2-anchors.md A1): the predicted shapes by confidence, highest first, each matched to the
 * unassigned gold shape it is most similar to (IoU; a match needs some overlap); every unmatched gold shape and
 * unmatched prediction scores 0; the score is the mean over matches and the unmatched. Labels are not compared, as in
 * AWS's script. Nothing predicted and nothing in gold scores 1.
 */
export function meanIouAgainstGold<S>(
  predicted: readonly { shape: S; confidence: number }[], gold: readonly S[], similarity: (a: S, b: S) => number,
): number {
  if (predicted.length === 0 && gold.length === 0) return 1;
  const taken = new Uint8Array(gold.length);
  let sum = 0;
  let matches = 0;
  for (const { shape } of [...predicted].sort((a, b) => b.confidence - a.confidence)) {
    let best = -1;
    let bestIou = 0;
    gold.forEach((truth, at) => {
      const iou = taken[at] ? 0 : similarity(shape, truth);
      if (iou > bestIou) [best, bestIou] = [at, iou];
    });
    if (best < 0) continue;
    taken[best] = 1;
    sum += bestIou;
    matches += 1;
  }
  // Unmatched predictions and gold shapes each add a term of 0.
  return sum / (predicted.length + gold.length - matches);
}
