#!/usr/bin/env bash
# The main job on a fresh machine: build ddbload and run the workshop command offline against its own
# endpoint (20 workers, 30 s, tables created and seeded). Extra arguments go to ddb_load_tester.py,
# e.g. --table-capacity 2/2 to rehearse under-capacity. The result JSON, the HTML report and the
# per-second CSV go to ./ddbload-runs/<time>/ (DDBLOAD_RUNS sets another folder).
set -euo pipefail
source "$(dirname "$0")/env.sh"
start_dir=$PWD
cd "$PROJECT_ROOT"

# The release profile (thin LTO): the first rehearsal does not wait for the fat-LTO build that
# scripts/test.sh makes for the wheel users install (README: "The two commands").
wheel=$(build_wheel release)
venv="$DDBLOAD_CACHE/run-venv"
if [ ! -x "$venv/bin/python" ]; then
  log "creating the virtual environment $venv"
  python3 -m venv "$venv"
fi
log "installing $(basename "$wheel") and its dependencies (rich, plotly, jsonschema) into $venv"
"$venv/bin/pip" install --quiet --force-reinstall --no-deps "$wheel"
"$venv/bin/pip" install --quiet "$wheel"

runs="${DDBLOAD_RUNS:-$start_dir/ddbload-runs}"
out="$runs/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
log "the workshop command, offline; result, report and CSV go to $out"
status=0
"$venv/bin/python" python/ddb_load_tester.py --local --threads 20 --minutes 0.5 \
  --output "$out/result.json" --report "$out/report.html" --csv "$out/per-second.csv" "$@" || status=$?

if [ -f "$out/result.json" ]; then
  cat >&2 <<NEXT

Next (the ddbload command is in $venv/bin):
  $venv/bin/ddbload advise $out/result.json             # what to do before the event
  $venv/bin/ddbload support-case $out/result.json       # a support case draft to check the plan
  $venv/bin/ddbload compare $out/result.json OTHER.json  # side by side with a colleague's run
  open $out/report.html in a browser (charts; works offline)
NEXT
fi
exit "$status"
