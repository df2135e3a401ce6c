#!/usr/bin/env bash
# The whole test suite: build once, then each test target in its own process.
#
# Why one process per target: Swift Testing runs a process's tests in parallel as tasks on
# the cooperative pool, which has one thread per core (two on CI). The storage model and
# property tests (StrataCoreTests) keep those threads busy for tens of seconds, and the
# socket tests of StrataServerTests, whose servers also run on that pool, then time out
# waiting for them. Separate processes share the cores through the OS scheduler instead.
# A new test target must be added to TARGETS (the check below fails otherwise).
set -euo pipefail
cd "$(dirname "$0")/.."

TARGETS=(StrataCoreTests StrataQueryTests StrataServerTests strataTests)

swift build --build-tests

declared=$(swift package dump-package | python3 -c '
import json, sys
print(" ".join(sorted(t["name"] for t in json.load(sys.stdin)["targets"] if t["type"] == "test")))')
listed=$(printf '%s\n' "${TARGETS[@]}" | LC_ALL=C sort | tr '\n' ' ' | sed 's/ $//')
if [[ "$declared" != "$listed" ]]; then
    echo "scripts/test.sh: test targets in Package.swift ($declared) differ from TARGETS ($listed)" >&2
    exit 1
fi

failed=()
for target in "${TARGETS[@]}"; do
    echo "== $target"
    swift test --skip-build --filter "^$target\\." || failed+=("$target")
done
if (( ${#failed[@]} )); then
    echo "scripts/test.sh: failing targets: ${failed[*]}" >&2
    exit 1
fi
echo "scripts/test.sh: all test targets passed"
