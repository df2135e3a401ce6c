#!/usr/bin/env bash
# peak_rss.sh STRATA_BIN DATA_DIR QUERY [EXTRA_CURL_ARGS...]
# Starts `strata serve` on DATA_DIR (127.0.0.1:18086), runs QUERY once against database
# `robots`, and prints the answer's bytes and md5, the time taken and the server's peak RSS
# (VmHWM) for that one query. One fresh server per query, so peaks do not carry over.
set -u
bin=$1 dir=$2 query=$3
shift 3
"$bin" serve --data-dir "$dir" --http 127.0.0.1:18086 > /tmp/peak_rss_serve.log 2>&1 &
pid=$!
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:18086/ping && break; sleep 0.2; done
start=$(date +%s.%N)
curl -s -G http://127.0.0.1:18086/query --data-urlencode "db=robots" --data-urlencode "q=$query" "$@" > /tmp/peak_rss_out.txt
end=$(date +%s.%N)
peak=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' /proc/$pid/status)
echo "$(wc -c < /tmp/peak_rss_out.txt) bytes, md5 $(md5sum < /tmp/peak_rss_out.txt | cut -c1-8), $(echo "$end - $start" | bc) s, peak RSS $peak MiB"
kill $pid
wait $pid 2>/dev/null
