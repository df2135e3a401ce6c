#!/usr/bin/env bash
# abort_latency.sh STRATA_BIN DATA_DIR [QUERY]
# How soon a query stops after its client leaves: starts `strata serve` on DATA_DIR
# (127.0.0.1:18086), runs QUERY (default `SELECT * FROM robot` on database `robots`) with
# curl --max-time 1, without and with chunked=true, and polls /metrics every 10 ms until
# strata_queries_running is 0. The shared benchmark's data (`strata import` of
# robots_100d_21600s_seed42.lp) makes the default query run for seconds.
set -u
bin=$1 dir=$2 query=${3:-SELECT * FROM robot}
"$bin" serve --data-dir "$dir" --http 127.0.0.1:18086 > /tmp/abort_latency_serve.log 2>&1 &
pid=$!
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:18086/ping && break; sleep 0.2; done
for mode in "" "--data-urlencode chunked=true"; do
    # shellcheck disable=SC2086
    curl -s -o /dev/null --max-time 1 -G http://127.0.0.1:18086/query --data-urlencode "db=robots" --data-urlencode "q=$query" $mode
    left=$(date +%s.%N)
    while true; do
        running=$(curl -s http://127.0.0.1:18086/metrics | awk '/^strata_queries_running/ {print $2}')
        [ "$running" = "0" ] || [ "$running" = "0.0" ] && break
        sleep 0.01
    done
    echo "${mode:-not chunked}: stopped $(echo "($(date +%s.%N) - $left) * 1000" | bc | cut -d. -f1) ms after the client left"
done
curl -s http://127.0.0.1:18086/metrics | grep -E "^strata_queries_(started|aborted)_total"
kill $pid
wait $pid 2>/dev/null
