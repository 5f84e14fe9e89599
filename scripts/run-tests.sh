#!/usr/bin/env bash
# `npm test`: node's test runner in two phases, then one closing line for the totals.
#  1. serial: tests that look at daemon-wide state (every namespace, the event stream) or
#     at timing in a real terminal, which other tests running beside them would disturb;
#  2. the rest, two files at a time (each works in namespaces of its own).
# Extra arguments run just those files, serially.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# A file that hangs fails after 12 minutes instead of stalling the run (the longest takes
# about 5). No --test-force-exit: in node 20 it once ended a file part-way, silently,
# with the rest of its tests never reported.
runner=(node --import tsx --test --test-timeout=720000)
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if (($# > 0)); then
  "${runner[@]}" --test-concurrency=1 "$@"
  exit
fi

serial=(test/parity/foundation.test.ts test/parity/tasks.test.ts test/integration/json.test.ts
  test/integration/completion.test.ts test/integration/run-tty.test.ts test/integration/run-signals.test.ts)
parallel=()
for f in test/*/*.test.ts; do
  [[ " ${serial[*]} " == *" $f "* ]] || parallel+=("$f")
done

status=0
"${runner[@]}" --test-concurrency=1 "${serial[@]}" 2>&1 | tee -a "$log" || status=1
"${runner[@]}" --test-concurrency=2 "${parallel[@]}" 2>&1 | tee -a "$log" || status=1

sum() { awk -v k="$1" '$1 == "#" && $2 == k { n += $3 } END { print n + 0 }' "$log"; }
echo "tests: $(sum pass) passed, $(sum fail) failed, $(sum skipped) skipped"
exit $status
