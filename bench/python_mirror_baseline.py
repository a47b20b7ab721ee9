"""The script a user writes instead of gt-consolidate for a synced job folder: one thread walks the output manifest,
reads and `json.loads` each worker response, votes every field the way gt-consolidate's defaults for this job do
(plurality of `{label}` answers, mean of numbers, per-option majority of checkbox maps, free text kept) and writes one
consolidated line per object.

    python3 bench/python_mirror_baseline.py <manifest> <job-dir> <out>

`<job-dir>` holds the job's `annotations/` folder (refs are read from `<job-dir>/annotations/…`). Prints
{"objects", "seconds"} as JSON; the time excludes the interpreter's start.
"""
import collections
import json
import sys
import time

manifest, job_dir, out_path = sys.argv[1:4]


def vote(values):
    first = values[0]
    if isinstance(first, dict) and "label" in first:
        counts = collections.Counter(v["label"] for v in values)
        return {"label": max(sorted(counts), key=lambda label: counts[label])}
    if isinstance(first, bool):
        return sum(values) * 2 > len(values)
    if isinstance(first, (int, float)):
        return sum(values) / len(values)
    if isinstance(first, dict):
        return {key: sum(bool(v.get(key)) for v in values) * 2 > len(values) for key in first}
    return values


start = time.time()
objects = 0
with open(manifest, encoding="utf-8") as lines, open(out_path, "w", encoding="utf-8") as out:
    for line in lines:
        record = json.loads(line)
        label = next(key[: -len("-metadata")] for key in record if key.endswith("-metadata"))
        ref = record[f"{label}-metadata"]["worker-response-ref"]
        with open(f"{job_dir}/{ref[ref.index('/annotations/') + 1:]}", encoding="utf-8") as response:
            answers = json.load(response)["answers"]
        fields = collections.defaultdict(list)
        for answer in answers:
            for name, value in answer["answerContent"].items():
                fields[name].append(value)
        record[label] = {name: vote(values) for name, values in fields.items()}
        out.write(json.dumps(record) + "\n")
        objects += 1
print(json.dumps({"objects": objects, "seconds": time.time() - start}))
