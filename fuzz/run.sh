#!/usr/bin/env bash
# Runs every built libFuzzer target for SECONDS over its corpus (fuzz/corpus/NAME), failing on any crash.
# New inputs go to a scratch folder, so the kept corpus changes only by hand.
set -euo pipefail
build=${1:?usage: fuzz/run.sh BUILD_DIR SECONDS}
seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)
status=0
for target in "$build"/fuzz/*_fuzz; do
  [ -x "$target" ] || continue
  name=$(basename "$target" _fuzz)
  scratch=$(mktemp -d)
  echo "fuzz: $name for ${seconds}s"
  if ! "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$scratch/" "$scratch" "$here/corpus/$name" 2>"$scratch/log"; then
    tail -40 "$scratch/log"
    echo "fuzz: $name FAILED; the crashing input is in $scratch" >&2
    status=1
  else
    grep -E "stat::number_of_executed_units|Done" "$scratch/log" | tail -2
    rm -rf "$scratch"
  fi
done
exit $status
