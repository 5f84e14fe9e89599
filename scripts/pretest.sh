#!/usr/bin/env bash
# Before `npm test`: build, and bring the test bed up unless a daemon was named in the
# environment (CI exports the test bed's; a developer may point at their own).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
node scripts/build.mjs
# The packages the tests use (shells, tmux, reference protos); needs root, as apt does.
if [[ $(id -u) -eq 0 ]]; then
  scripts/testbed.sh install >/dev/null
fi
if [[ -z ${CONTAINERD_ADDRESS:-} ]]; then
  scripts/testbed.sh up >/dev/null
fi
