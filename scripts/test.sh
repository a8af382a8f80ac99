#!/bin/sh
# The whole test suite. Installs the offline Terraform validators on first use (about 1 to 3 minutes:
# Debian's Go + HashiCorp HCL sources, two Python venvs from PyPI) and moto's S3 server (a venv from
# PyPI, about 30 s), then runs every test, including the validators on every generated example against
# both AWS provider schemas (6.47.0 and 5.100.0) and the live S3 reads against moto.
set -eu
cd "$(dirname "$0")/.."
TFVAL_HOME=${TFVAL_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/tf-validators}
export TFVAL_HOME
if [ ! -x "$TFVAL_HOME/bin/tfhcl" ] || [ ! -x "$TFVAL_HOME/py/bin/python" ] || [ ! -x "$TFVAL_HOME/checkov/bin/checkov" ]; then
    echo "installing the Terraform validators into $TFVAL_HOME (first run only)"
    sh tools/tf-validators/validate-tf.sh --install
fi
# moto's S3 server, the real local S3 API the --from-aws tests read from (tests/aws.rs). Pinned: from
# 5.2.0 its S3 responses name the wrong XML root element (GetBucketVersioningResponse instead of
# VersioningConfiguration), which the AWS SDK for Rust rightly refuses.
MOTO_VERSION=5.1.22
TFREMEDY_MOTO_HOME=${TFREMEDY_MOTO_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/tfremedy-moto}
export TFREMEDY_MOTO_HOME
if [ ! -x "$TFREMEDY_MOTO_HOME/bin/moto_server" ] || ! "$TFREMEDY_MOTO_HOME/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    echo "installing moto $MOTO_VERSION into $TFREMEDY_MOTO_HOME (first run only)"
    python3 -m venv "$TFREMEDY_MOTO_HOME"
    "$TFREMEDY_MOTO_HOME/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi
cargo test --all-targets "$@"
