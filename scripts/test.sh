#!/usr/bin/env bash
# The whole test suite: build once, then every test target in one process.
#
# It used to run each target in its own process: Swift Testing runs a process's tests in
# parallel on the cooperative pool (one thread per core, two on CI), and the storage engine
# then decoded, flushed and compacted on that pool, so the CPU-heavy model tests starved the
# socket tests' servers into timeouts. Engine and query work now run on threads of their
# own (docs/architecture.md, "Threads"), and one process passes, also with two busy loops
# competing for the two cores (issue 12's closing note has the runs).
set -euo pipefail
cd "$(dirname "$0")/.."

# A clone holds everything the project needs: no file names a path outside the repository
# (the workspace's shared folder beside the clone, or an absolute workspace path). The
# exceptions are this check and the test that reads InfluxDB's own suite, which is never
# copied in (docs/testing.md).
outside='\.\./shared|/work/'
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  found=$(git grep -nE "$outside" -- . ':!Tests/strataTests/InfluxSuiteTests.swift' ':!scripts/test.sh' || true)
else
  found=$(grep -rnE "$outside" --exclude-dir=.build --exclude-dir=.git --exclude=InfluxSuiteTests.swift --exclude=test.sh . || true)
fi
if [ -n "$found" ]; then
  echo "these lines name a path outside the repository; describe it in the repository instead:" >&2
  echo "$found" >&2
  exit 1
fi

swift build --build-tests
# Swift Testing captures a backtrace for every Swift error thrown in the test process, caught
# or not, to report where an unexpected one came from. Tests throw by the hundred thousand
# (timeouts cancelled, JSON decoded by trying each type, hostile input refused): with the
# capture on, the year-long subscription test spent 41 of its 56 s unwinding stacks. Failures
# still name the error and the expectation's line.
export SWT_SWIFT_ERROR_BACKTRACING_ENABLED=0
swift test --skip-build
