#!/bin/sh
# Speed and memory of a batch run: N generated findings (JSON Lines, gzip) over 3 buckets, through a
# release build of `tfremedy remediate --skip alarms`. Prints findings/s and the peak resident memory.
#   sh scripts/bench.sh [N]        (default 100000)
set -eu
cd "$(dirname "$0")/.."
N=${1:-100000}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cargo build --release -q
python3 - "$N" "$WORK/export.jsonl" <<'PY'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
seed = json.load(open("tests/fixtures/findings/discovery-s3-maliciousipcaller-custom.json"))
with open(path, "w") as out:
    for i in range(n):
        f = json.loads(json.dumps(seed))
        f["id"] = "%032x" % i
        b = ["alpha-data", "beta-data", "gamma-data"][i % 3]
        f["resource"]["s3BucketDetails"][0]["name"] = b
        f["resource"]["s3BucketDetails"][0]["arn"] = "arn:aws:s3:::" + b
        k = (i % 300) * 40503 % 65536
        f["service"]["action"]["awsApiCallAction"]["remoteIpDetails"]["ipAddressV4"] = "198.18.%d.%d" % (k >> 8, k & 255)
        out.write(json.dumps(f, separators=(",", ":")) + "\n")
PY
gzip -k "$WORK/export.jsonl"
SIZE=$(du -h "$WORK/export.jsonl.gz" | cut -f1)
start=$(date +%s.%N)
/usr/bin/env time -f "%M" -o "$WORK/rss" ./target/release/tfremedy remediate "$WORK/export.jsonl.gz" \
    --out "$WORK/out" --skip alarms >/dev/null 2>"$WORK/stderr" || { cat "$WORK/stderr"; exit 1; }
end=$(date +%s.%N)
tail -n 1 "$WORK/stderr"
awk -v n="$N" -v a="$start" -v b="$end" -v rss="$(cat "$WORK/rss")" -v size="$SIZE" 'BEGIN {
    printf "bench: %d findings (%s gzipped) in %.2f s: %.0f findings/s, peak RSS %.1f MiB\n", n, size, b - a, n / (b - a), rss / 1024 }'
