#!/bin/sh
# Speed and memory of `tfremedy scan` on a large generated Terraform tree: 100 directories of 100 .tf
# files (10,000 files): buckets with policy/SSE/public-access-block resources, terraform-aws-modules
# s3-bucket calls, variables and locals, comments. Prints files/s, elapsed seconds and peak RSS.
#   sh scripts/bench-scan.sh [DIR]     generate into DIR (kept afterwards) instead of a temp dir
# Environment: TFREMEDY=path/to/binary skips the release build; DIRS / FILES change the tree's shape;
# GEN_ONLY=1 only generates the tree (and prints its size).
set -eu
OUT=${1:-}
case $OUT in "" | /*) ;; *) OUT=$(pwd)/$OUT ;; esac   # resolve before the cd below
cd "$(dirname "$0")/.."
DIRS=${DIRS:-100}
FILES=${FILES:-100}

if [ -n "$OUT" ]; then
    mkdir -p "$OUT"; TREE=$OUT; WORK=$(mktemp -d)
    trap 'rm -rf "$WORK"' EXIT
else
    WORK=$(mktemp -d); TREE=$WORK/tree
    trap 'rm -rf "$WORK"' EXIT
fi

# --- generate: one awk process writes every file (a shell loop would fork 10,000 times) ----------
d=0; set --
while [ "$d" -lt "$DIRS" ]; do set -- "$@" "$TREE/$(printf 'stack-%03d' "$d")"; d=$((d + 1)); done
mkdir -p "$@"
awk -v tree="$TREE" -v dirs="$DIRS" -v files="$FILES" '
function bucket(f, r, name, withpolicy) {   # a bucket and its configuration resources; name: HCL
    print "# " r ": owned by team-" (i % 7) ", see runbook S3-" r > f
    print "resource \"aws_s3_bucket\" \"" r "\" {\n  bucket = " name "\n\n  tags = {\n    Team = \"team-" (i % 7) "\" # cost allocation\n  }\n}\n" > f
    if (withpolicy) {
        print "resource \"aws_s3_bucket_policy\" \"" r "\" {\n  bucket = aws_s3_bucket." r ".id\n  policy = data.aws_iam_policy_document." r ".json\n}\n" > f
        print "data \"aws_iam_policy_document\" \"" r "\" {\n  statement {\n    sid     = \"ReadOnly\"\n    actions = [\"s3:GetObject\", \"s3:ListBucket\"]\n    resources = [\n      aws_s3_bucket." r ".arn,\n      \"${aws_s3_bucket." r ".arn}/*\",\n    ]\n\n    principals {\n      type        = \"AWS\"\n      identifiers = [\"arn:aws:iam::111122223333:role/reader-" (r % 13) "\"]\n    }\n  }\n}\n" > f
    }
    print "resource \"aws_s3_bucket_server_side_encryption_configuration\" \"" r "\" {\n  bucket = aws_s3_bucket." r ".id\n\n  rule {\n    apply_server_side_encryption_by_default {\n      sse_algorithm = \"AES256\"\n    }\n  }\n}\n" > f
    print "resource \"aws_s3_bucket_public_access_block\" \"" r "\" {\n  bucket = aws_s3_bucket." r ".id\n\n  block_public_acls       = true\n  block_public_policy     = true\n  ignore_public_acls      = true\n  restrict_public_buckets = true\n}\n" > f
}
function module_call(f, r, name) {          # registry module, v4 style inputs
    print "module \"" r "\" {\n  source  = \"terraform-aws-modules/s3-bucket/aws\"\n  version = \"~> 4.1\"\n\n  bucket = \"" name "\"\n\n  attach_deny_insecure_transport_policy = true # TLS only\n  versioning = {\n    enabled = true\n  }\n\n  server_side_encryption_configuration = {\n    rule = {\n      apply_server_side_encryption_by_default = {\n        sse_algorithm = \"aws:kms\"\n      }\n    }\n  }\n}\n" > f
}
BEGIN {
    for (d = 0; d < dirs; d++) {
        dir = sprintf("%s/stack-%03d", tree, d)
        for (i = 0; i < files; i++) {
            kind = (d * 7 + i) % 5
            f = sprintf("%s/%s_%03d.tf", dir, (i == 0 ? "versions" : "s3"), i)
            base = sprintf("bench-%03d-%03d", d, i)
            if (i == 0) {
                print "terraform {\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = \">= 5.0\"\n    }\n  }\n}" > f
            } else if (kind == 0) {                 # three buckets with policies: the big files
                for (k = 0; k < 3; k++) bucket(f, sprintf("b%03d_%d", i, k), "\"" base "-" k "\"", 1)
            } else if (kind == 1) {                 # module calls
                module_call(f, sprintf("m%03d_a", i), base "-a"); module_call(f, sprintf("m%03d_b", i), base "-b")
            } else if (kind == 2) {                 # bucket named by a variable with a default
                print "variable \"bucket_" i "\" {\n  description = \"Bucket name.\"\n  type        = string\n  default     = \"" base "\"\n}\n" > f
                print "resource \"aws_s3_bucket\" \"v" i "\" {\n  bucket = var.bucket_" i "\n}" > f
            } else if (kind == 3) {                 # locals and a bucket without a policy
                print "locals {\n  name_" i " = \"" base "\" # from the naming convention\n}\n" > f
                bucket(f, sprintf("l%03d", i), "local.name_" i, 0)
            } else {                                # mostly comments, one bucket
                for (c = 0; c < 40; c++) print "# Changelog " c ": rotated keys, tightened the policy, see PR #" (d * 100 + c) > f
                print "/*\n  Retired buckets are kept here for reference.\n  resource \"aws_s3_bucket\" \"old\" { bucket = \"retired\" }\n*/" > f
                bucket(f, sprintf("c%03d", i), "\"" base "\"", 1)
            }
            close(f)
        }
    }
}'
NFILES=$(find "$TREE" -name '*.tf' | wc -l | tr -d ' ')
echo "bench-scan: generated $NFILES .tf files, $(du -sh "$TREE" | cut -f1) in $TREE" >&2
[ "${GEN_ONLY:-0}" = 1 ] && exit 0

# --- build and time --------------------------------------------------------------------------
if [ -z "${TFREMEDY:-}" ]; then cargo build --release -q; fi
BIN=${TFREMEDY:-target/release/tfremedy}
[ -x "$BIN" ] || { echo "bench-scan: no executable at $BIN" >&2; exit 1; }
now() { t=$(date +%s.%N); case $t in *N) date +%s ;; *) echo "$t" ;; esac; }   # %N is GNU only
TIMER=
if [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then TIMER="/usr/bin/time -v -o $WORK/time"; fi
start=$(now)
# shellcheck disable=SC2086 # TIMER is deliberately split into words
if ! $TIMER "$BIN" scan "$TREE" --format json >/dev/null 2>"$WORK/stderr"; then
    echo "bench-scan: '$BIN scan' failed:" >&2; tail -n 20 "$WORK/stderr" >&2; exit 1
fi
end=$(now)
RSS=; [ -f "$WORK/time" ] && RSS=$(awk -F': *' '/Maximum resident set size/ { print $2 }' "$WORK/time")
awk -v n="$NFILES" -v a="$start" -v b="$end" -v rss="$RSS" 'BEGIN {
    s = b - a; if (s <= 0) s = 0.001
    printf "bench-scan: %d files in %.2f s: %.0f files/s", n, s, n / s
    if (rss != "") printf ", peak RSS %.1f MiB", rss / 1024
    printf "\n" }'
