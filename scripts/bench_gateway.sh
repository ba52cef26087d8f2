#!/usr/bin/env bash
# Overhead of `agentgen serve` (issue 17), measured side by side in one run on loopback:
# wrk against a fast local upstream (gateway/examples/bench_upstream.rs) directly, through
# the gateway (REST, read-only connection, audit log to a file), and through nginx as a plain
# reverse proxy (keep-alive to the upstream, access log to a file), at 1 and 64 concurrent
# connections. Prints a markdown table: p50/p99 latency, requests per second, latency added
# over direct, the proxy's own CPU time per request (gateway process; nginx master and
# workers), and the gateway's throughput as a fraction of nginx's.
#
# Needs nginx and wrk (Debian: apt-get install nginx wrk). Not part of the test suite.
# Bounded: DURATION seconds per run (default 10), REPEAT interleaved runs (default 3, the
# median is reported) of 3 targets x 2 concurrencies (+ one private_metadata row per
# concurrency), loopback only; everything started is stopped on exit.
#
#   scripts/bench_gateway.sh            # DURATION=10
#   DURATION=3 REPEAT=1 scripts/bench_gateway.sh # quick look
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
REPEAT=${REPEAT:-3}
for tool in nginx wrk; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install nginx wrk" >&2; exit 1; }
done

cargo build --release --locked -q -p agentgen-tool --bin agentgen
cargo build --release --locked -q -p agentgen-gateway --example bench_upstream
BIN=target/release
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
UP=$(free_port); GW=$(free_port); NG=$(free_port)
TOKEN=bench-token-not-secret
KEY=sk_test_BenchKeyNotSecret

"$BIN/examples/bench_upstream" "127.0.0.1:$UP" &
pids+=($!)

cat >"$work/gateway.toml" <<EOF
listen = "127.0.0.1:$GW"
audit_log = "$work/gateway-audit.jsonl"

[[connections]]
name = "bench"
key_env = "BENCH_KEY"
base_url = "http://127.0.0.1:$UP/v1"
read_only = true
access_tokens = ["$(printf %s "$TOKEN" | "$BIN/agentgen" serve --hash-token)"]
EOF
BENCH_KEY=$KEY "$BIN/agentgen" serve --config "$work/gateway.toml" \
  --spec tests/fixtures/accounts/spec.yaml 2>"$work/gateway.log" >/dev/null &
pids+=($!)
gateway_pid=$!

mkdir -p "$work/nginx"
cat >"$work/nginx.conf" <<EOF
worker_processes auto;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 1024; }
http {
  access_log $work/nginx-access.log;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx;
  scgi_temp_path $work/nginx;
  upstream api { server 127.0.0.1:$UP; keepalive 64; }
  server {
    listen 127.0.0.1:$NG;
    location / {
      proxy_pass http://api;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
nginx -c "$work/nginx.conf" -p "$work" &
pids+=($!)
nginx_pid=$!

# Bounded wait until all three answer.
for i in $(seq 1 300); do
  if curl -sf "http://127.0.0.1:$UP/v1/accounts/acct_1" >/dev/null \
    && curl -sf "http://127.0.0.1:$NG/v1/accounts/acct_1" >/dev/null \
    && curl -sf -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$GW/c/bench/accounts/acct_1" >/dev/null; then
    break
  fi
  [ "$i" = 300 ] && { echo "servers did not start" >&2; cat "$work/gateway.log" >&2; exit 1; }
  sleep 0.1
done

# CPU time (clock ticks, user + system) of the processes $@ and their children's threads.
ticks() {
  local total=0 p
  for p in "$@" $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# One wrk run: prints "p50_ms p99_ms rps cpu_us_per_request" (the CPU of process $3, if
# given, per request answered).
run() {
  local conns=$1 url=$2 pid=${3:-} threads=1 before=0 after=0
  [ "$conns" -gt 1 ] && threads=2
  [ -n "$pid" ] && before=$(ticks "$pid")
  wrk -t"$threads" -c"$conns" -d"${DURATION}s" --latency -H "Authorization: Bearer $TOKEN" "$url" >"$work/wrk.out"
  [ -n "$pid" ] && after=$(ticks "$pid")
  awk -v cpu=$((after - before)) -v hz="$(getconf CLK_TCK)" '
      function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
      $1 == "50%" { p50 = ms($2) }
      $1 == "99%" { p99 = ms($2) }
      $1 == "Requests/sec:" { rps = $2 }
      $2 == "requests" && $3 == "in" { n = $1 }
      /Non-2xx/ { bad = $NF }
      END { if (bad) { print "non-2xx answers: " bad > "/dev/stderr"; exit 1 } printf "%.3f %.3f %.0f %.1f\n", p50, p99, rps, (n ? cpu / hz * 1e6 / n : 0) }' "$work/wrk.out"
}

direct="http://127.0.0.1:$UP/v1/accounts/acct_1"
gateway="http://127.0.0.1:$GW/c/bench/accounts/acct_1"
nginx_url="http://127.0.0.1:$NG/v1/accounts/acct_1"
gateway_pm="http://127.0.0.1:$GW/c/bench/accounts/pm"

# Warm up connection pools.
for u in "$direct" "$gateway" "$nginx_url"; do DURATION=1 run 8 "$u" >/dev/null; done

echo "machine: $(nproc) cores, $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg); wrk ${DURATION}s per run, median of $REPEAT interleaved runs; $(nginx -v 2>&1); $(rustc --version)"
echo
echo "| clients | path | p50 ms | p99 ms | req/s | added p50 ms | added p99 ms | proxy CPU µs/request |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|"
# The median of column $2 of the lines of file $1.
median() { sort -g -k"$2","$2" "$1" | awk -v k="$2" '{ v[NR] = $k } END { print v[int((NR + 1) / 2)] }'; }
for c in 1 64; do
  # Interleaved repeats: load from anything else on the machine falls on every path alike.
  for rep in $(seq 1 "$REPEAT"); do
    for t in direct nginx gateway pm; do
      case $t in
        direct) u=$direct p="" ;; nginx) u=$nginx_url p=$nginx_pid ;;
        gateway) u=$gateway p=$gateway_pid ;; pm) u=$gateway_pm p=$gateway_pid ;;
      esac
      run "$c" "$u" "$p" >>"$work/$t-$c"
    done
  done
  d50=$(median "$work/direct-$c" 1)
  d99=$(median "$work/direct-$c" 2)
  row() {
    local f=$work/$1-$c
    awk -v c="$c" -v n="$2" -v a="$(median "$f" 1)" -v b="$(median "$f" 2)" -v r="$(median "$f" 3)" -v u="$(median "$f" 4)" -v d50="$d50" -v d99="$d99" \
      'BEGIN { d = (n == "direct"); printf "| %s | %s | %.3f | %.3f | %d | %s | %s | %s |\n", c, n, a, b, r, (d ? "" : sprintf("%.3f", a - d50)), (d ? "" : sprintf("%.3f", b - d99)), (d ? "" : sprintf("%.1f", u)) }'
  }
  row direct direct
  row nginx nginx
  row gateway gateway
  row pm "gateway, private_metadata removed"
  awk -v g="$(median "$work/gateway-$c" 3)" -v n="$(median "$work/nginx-$c" 3)" -v c="$c" \
    'BEGIN { printf "\n%s clients: gateway throughput / nginx throughput = %.2f\n\n", c, g / n }' >&2
done
