#!/usr/bin/env bash
# One command from a fresh Debian machine to a working ctr-ts:
#   installs the system packages and node modules, builds, uses the daemon at
#   $CONTAINERD_ADDRESS (or /run/containerd/containerd.sock) when one answers, else
#   starts the test bed's private containerd and registry, and runs ctr-ts against it.
set -euo pipefail
REPO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO_DIR"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
fi
[[ -d node_modules ]] || npm ci --no-audit --no-fund
npm run -s build

address=${CONTAINERD_ADDRESS:-/run/containerd/containerd.sock}
if [[ -S $address ]] && bin/ctr -a "$address" --connect-timeout 2s version >/dev/null 2>&1; then
  echo "quickstart: using the running containerd at $address"
else
  echo "quickstart: no containerd answers at $address; starting the test bed"
  scripts/testbed.sh up >/dev/null
  set -a
  # shellcheck disable=SC1090
  . <(scripts/testbed.sh env)
  set +a
  address=$CONTAINERD_ADDRESS
  echo "quickstart: test bed containerd at $address, registry at $CTR_TESTBED_REGISTRY"
fi

run() { echo "\$ ctr $*"; bin/ctr -a "$address" "$@"; }
run version
run plugins ls
run namespaces ls
if [[ -n ${CTR_TESTBED_IMAGE_OCI:-} ]] && bin/ctr -a "$address" images pull --help >/dev/null 2>&1; then
  run -n quickstart images pull --plain-http "$CTR_TESTBED_IMAGE_OCI"
  run -n quickstart images ls
fi
echo
echo "ctr-ts works. Try: bin/ctr -a $address --help"
