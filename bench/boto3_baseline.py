"""The usual hand-written alternative the benchmark compares against: boto3 with a 32-thread pool reads the output
manifest, fetches every worker response and majority-votes the `sentiment` field (ties to the smallest label).

    python3 bench/boto3_baseline.py <endpoint-url> <bucket> <manifest-key> [threads]

Prints {"objects", "seconds", "objectsPerSecond"} as JSON. Needs boto3 (Debian: python3-boto3).
"""
import collections
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

endpoint, bucket, key = sys.argv[1:4]
threads = int(sys.argv[4]) if len(sys.argv) > 4 else 32
s3 = boto3.client(
    "s3",
    endpoint_url=endpoint,
    region_name="us-east-1",
    aws_access_key_id="bench",
    aws_secret_access_key="bench",
    config=Config(max_pool_connections=threads, s3={"addressing_style": "path"}),
)


def consolidate(ref):
    ref_bucket, ref_key = ref[len("s3://"):].split("/", 1)
    answers = json.loads(s3.get_object(Bucket=ref_bucket, Key=ref_key)["Body"].read())["answers"]
    votes = collections.Counter(a["answerContent"]["sentiment"]["label"] for a in answers)
    return max(sorted(votes), key=lambda label: votes[label])


start = time.time()
body = s3.get_object(Bucket=bucket, Key=key)["Body"]
refs = [json.loads(line)["bench-metadata"]["worker-response-ref"] for line in body.iter_lines() if line.strip()]
with ThreadPoolExecutor(threads) as pool:
    labels = list(pool.map(consolidate, refs))
elapsed = time.time() - start
print(json.dumps({"objects": len(labels), "seconds": elapsed, "objectsPerSecond": len(labels) / elapsed}))
