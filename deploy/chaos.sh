#!/usr/bin/env bash
# Chaos for a running cluster: for a bounded time, SIGKILLs a random node, restarts it a little later,
# and again, while a checker holds real client connections through the load balancer and compares the
# counts they are shown with the truth. Ends with the checker's verdict (exit 0 only on PASS).
#
#   deploy/chaos.sh [--local [--state-dir DIR]] [--duration 60s] [--clients 30] [--url WS]
#   deploy/chaos.sh --compose [--project NAME] [--duration 60s] [--clients 30] [--url WS]
#
# --local (default): the cluster of deploy/local-cluster.sh (start it with --detach first).
# --compose: the node containers of deploy/docker-compose.yml (docker kill, docker start).
# --url: the load balancer's socket URL (default ws://127.0.0.1:4000/socket).
# Between faults: 3 to 8 s; a killed node stays down 1 to 4 s. Needs the checker:
#   mvn -q -B -DskipTests package -pl benchmarks -am
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

target=local
state_dir="$root/deploy/.local-cluster"
project=deploy
duration=60
clients=30
url=ws://127.0.0.1:4000/socket
die() { echo "chaos: $*" >&2; exit 2; }
while [[ $# -gt 0 ]]; do
  case $1 in
    --local) target=local; shift ;;
    --compose) target=compose; shift ;;
    --state-dir) state_dir=$2; shift 2 ;;
    --project) project=$2; shift 2 ;;
    --duration) duration=${2%s}; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --url) url=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
done
[[ $duration =~ ^[0-9]+$ && $duration -ge 5 && $duration -le 3600 ]] || die "--duration must be 5s to 3600s"
checker="$root/benchmarks/target/headcount-benchmarks.jar"
[[ -f $checker ]] || die "the checker is missing: mvn -q -B -DskipTests package -pl benchmarks -am"

nodes() { # the nodes that can be broken: local indexes, or container names
  if [[ $target == local ]]; then
    ls "$state_dir"/node-n*.cmd 2>/dev/null | sed -E 's/.*node-n([0-9]+)\.cmd/\1/'
  else
    docker ps -a --filter "label=com.docker.compose.project=$project" --filter "label=com.docker.compose.service=node" \
      --format '{{.Names}}'
  fi
}
kill_node() {
  if [[ $target == local ]]; then kill -KILL "$(cat "$state_dir/node-n$1.pid")" 2>/dev/null || true
  else docker kill "$1" >/dev/null; fi
}
start_node() {
  if [[ $target == local ]]; then "$root/deploy/local-cluster.sh" restart-node --node "$1" --state-dir "$state_dir" >/dev/null
  else docker start "$1" >/dev/null; fi
}

mapfile -t all < <(nodes)
[[ ${#all[@]} -ge 2 ]] || die "found ${#all[@]} nodes ($target); start a cluster of at least 2 first"
echo "chaos: ${#all[@]} nodes ($target), ${duration}s, $clients clients on $url"

java -jar "$checker" check --url "$url" --clients "$clients" --duration "${duration}s" --settle 30s &
checker_pid=$!
down=""
trap '[[ -n $down ]] && start_node "$down"; kill $checker_pid 2>/dev/null || true' EXIT
sleep 2 # let the clients join before the first fault
end=$((SECONDS + duration - 6))
faults=0
while [[ $SECONDS -lt $end ]]; do
  sleep $((3 + RANDOM % 6))
  [[ $SECONDS -lt $end ]] || break
  victim=${all[$((RANDOM % ${#all[@]}))]}
  echo "chaos: $(date +%T) kill -9 node $victim"
  kill_node "$victim"
  down=$victim
  sleep $((1 + RANDOM % 4))
  echo "chaos: $(date +%T) restart node $victim"
  start_node "$victim"
  down=""
  faults=$((faults + 1))
done
echo "chaos: $faults kills and restarts; waiting for the checker's verdict"
set +e
wait $checker_pid
verdict=$?
trap - EXIT
exit $verdict
