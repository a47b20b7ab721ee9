#!/usr/bin/env bash
# What `npm start` runs: gt-consolidate on the three sample jobs, offline (refs are read from the job folders, the
# layout `aws s3 sync` leaves), writing sample-output/consolidated/ (or $OUT), with an HTML report per job (report.html).
set -euo pipefail
cd "$(dirname "$0")/.."
cli="node dist/src/cli/bin.js"
jobs=sample-output
out="${OUT:-sample-output/consolidated}"

# Text sentiment (crowd-classifier): hierarchical-ds, a worker report, a review queue, and a few gold labels.
$cli run "$jobs/support-ticket-sentiment/manifests/output/output.manifest" \
  --config "$jobs/support-ticket-sentiment.config.yaml" \
  --gold "$jobs/support-ticket-sentiment.gold.csv" \
  --workers-report "$out/support-ticket-sentiment/workers.csv" \
  --review "$out/support-ticket-sentiment/review.manifest" \
  --report "$out/support-ticket-sentiment/report.html" \
  --out "$out/support-ticket-sentiment/output.manifest"

# Multi-modal content evaluation (sliders and a comment).
$cli run "$jobs/multimodal-content-eval/manifests/output/output.manifest" \
  --config "$jobs/multimodal-content-eval.config.yaml" \
  --workers-report "$out/multimodal-content-eval/workers.csv" \
  --report "$out/multimodal-content-eval/report.html" \
  --out "$out/multimodal-content-eval/output.manifest"

# Text ranking (crowd-text-ranking, two dimensions): the consolidated manifest and every export format, a pair file
# per dimension (one prompt's pair can go either way on each), and every dimension in one lossless file.
ranking="$jobs/text-ranking-preferences/manifests/output/output.manifest"
$cli run "$ranking" --config "$jobs/text-ranking-preferences.config.yaml" --out "$out/text-ranking-preferences/output.manifest"
for format in trl trl-kto openai nova; do
  for dimension in Clarity Inclusivity; do
    $cli export "$ranking" --config "$jobs/text-ranking-preferences.config.yaml" --format "$format" --dimension "$dimension" \
      --out "$out/text-ranking-preferences/$format.$dimension.jsonl" --quiet
  done
done
$cli export "$ranking" --config "$jobs/text-ranking-preferences.config.yaml" --format lossless \
  --out "$out/text-ranking-preferences/lossless.jsonl" --quiet
# The report rebuilt from the lossless export's stats: the run's figures and the preference pairs it wrote and dropped.
$cli report "$out/text-ranking-preferences/lossless.stats.json" --manifest "$out/text-ranking-preferences/output.manifest" \
  --out "$out/text-ranking-preferences/report.html" --quiet

# Street scenes (crowd-bounding-box beside a crowd-classifier): boxes matched across workers and averaged, in the
# built-in object-detection format; worker quality for drawings and gold boxes scored by mean IoU.
$cli run "$jobs/street-scene-boxes/manifests/output/output.manifest" \
  --gold "$jobs/street-scene-boxes.gold.jsonl" --gold-field boundingBox \
  --workers-report "$out/street-scene-boxes/workers.csv" \
  --report "$out/street-scene-boxes/report.html" \
  --out "$out/street-scene-boxes/output.manifest"

# News entities (crowd-entity-annotation): spans matched across workers, boundaries by mode, in the built-in NER format.
$cli run "$jobs/news-entities/manifests/output/output.manifest" \
  --workers-report "$out/news-entities/workers.csv" \
  --report "$out/news-entities/report.html" \
  --out "$out/news-entities/output.manifest"

# Street masks (crowd-semantic-segmentation): a per-pixel vote, each object's mask an 8-bit indexed PNG written beside
# the output manifest (street-scene-masks/output/<line>-crowd-semantic-segmentation.png), the line holding its -ref.
$cli run "$jobs/street-scene-masks/manifests/output/output.manifest" \
  --workers-report "$out/street-scene-masks/workers.csv" \
  --report "$out/street-scene-masks/report.html" \
  --out "$out/street-scene-masks/output.manifest"

# Training exports of the drawings: COCO and the SageMaker augmented manifest (object detection) of the boxes, span JSONL
# and the augmented manifest (Amazon Comprehend) of the entities.
boxes="$jobs/street-scene-boxes/manifests/output/output.manifest"
$cli export "$boxes" --format coco --out "$out/street-scene-boxes/coco.json" --quiet
$cli export "$boxes" --format augmented-manifest --out "$out/street-scene-boxes/object-detection.manifest" --quiet
entities="$jobs/news-entities/manifests/output/output.manifest"
$cli export "$entities" --format spans-jsonl --out "$out/news-entities/spans.jsonl" --quiet
$cli export "$entities" --format augmented-manifest --out "$out/news-entities/comprehend.manifest" --quiet
