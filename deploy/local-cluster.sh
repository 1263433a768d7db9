#!/usr/bin/env bash
# A local Headcount cluster: N nodes on 127.0.0.1 behind an nginx load balancer that proxies
# WebSockets. Runs in the foreground until Ctrl-C or SIGTERM, then stops everything; nodes that
# die (kill one to try failover) are reported and the rest keep running.
#
#   deploy/local-cluster.sh [start] [--nodes N] [--lb-port P] [--http-base P] [--cluster-base P]
#                           [--state-dir DIR] [--detach] [-- extra node options]
#   deploy/local-cluster.sh stop   [--state-dir DIR]
#   deploy/local-cluster.sh status [--state-dir DIR]
#   deploy/local-cluster.sh restart-node --node I [--state-dir DIR]   (after a crash or a kill; used by chaos.sh)
#
# Defaults: 3 nodes; load balancer on 4000; nodes' HTTP on 4001.., cluster ports 7800.. (failure
# detection on cluster port + 100); state (logs, pids, nginx config) in deploy/.local-cluster.
# Node i (from 1) is named n<i>; its pid is in <state-dir>/node-n<i>.pid. Node settings may also
# come from HEADCOUNT_* environment variables (HEADCOUNT_SECRET in particular); see the README.
# --detach returns once every node is ready.

set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jar="$root/node-server/target/headcount-node.jar"

command=start
nodes=3
lb_port=4000
http_base=4001
cluster_base=7800
state_dir="$root/deploy/.local-cluster"
detach=false
node=""
extra=()

die() { echo "local-cluster: $*" >&2; exit 1; }

value() { [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value (try --help)"; }
is_port() { [[ $1 =~ ^[0-9]+$ && $1 -ge 1 && $1 -le 65535 ]]; }

if [[ $# -gt 0 && $1 != -* ]]; then command=$1; shift; fi
while [[ $# -gt 0 ]]; do
  case $1 in
    --nodes) value "$@"; nodes=$2; shift 2 ;;
    --lb-port) value "$@"; lb_port=$2; shift 2 ;;
    --http-base) value "$@"; http_base=$2; shift 2 ;;
    --cluster-base) value "$@"; cluster_base=$2; shift 2 ;;
    --state-dir) value "$@"; state_dir=$2; shift 2 ;;
    --detach) detach=true; shift ;;
    --node) value "$@"; node=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed -e 's/^# \{0,1\}//' -e '/^$/d'; exit 0 ;;
    *) die "unknown option $1 (try --help)" ;;
  esac
done
[[ $nodes =~ ^[0-9]+$ && $nodes -ge 1 && $nodes -le 50 ]] || die "--nodes must be between 1 and 50"
for p in "$lb_port" "$http_base" "$cluster_base"; do is_port "$p" || die "'$p' is not a port"; done

# GET http://127.0.0.1:port/path with bash alone; prints the status code (000 when nothing answers).
http_status() {
  local port=$1 path=$2 line
  if ! { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then echo 000; return; fi
  printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$path" >&3
  read -r -t 5 line <&3 || line=""
  exec 3<&- 3>&-
  line=${line#HTTP/1.1 }
  echo "${line:0:3}"
}

port_in_use() { { (exec 3<>"/dev/tcp/127.0.0.1/$1"); } 2>/dev/null; }

pid_alive() { [[ -f $1 ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_all() {
  local f pid
  # nodes first (SIGTERM: graceful permdown, then sockets closed with 1012), then the balancer
  for f in "$state_dir"/node-*.pid; do
    [[ -f $f ]] || continue
    pid=$(cat "$f")
    kill -TERM "$pid" 2>/dev/null || true
  done
  for f in "$state_dir"/node-*.pid; do
    [[ -f $f ]] || continue
    pid=$(cat "$f")
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$f"
  done
  if [[ -f $state_dir/nginx.pid ]]; then
    pid=$(cat "$state_dir/nginx.pid")
    kill -QUIT "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$state_dir/nginx.pid"
  fi
}

status() {
  local f found=false
  for f in "$state_dir"/node-*.pid "$state_dir"/nginx.pid; do
    [[ -f $f ]] || continue
    found=true
    if pid_alive "$f"; then echo "$(basename "$f" .pid): running (pid $(cat "$f"))"; else echo "$(basename "$f" .pid): dead"; fi
  done
  [[ $found == true ]] || echo "not running (no cluster started from $state_dir)"
}

# Starts node I again with the command it was first started with (a new incarnation under the same
# name, as after a crash); a node still running is stopped first (SIGTERM: it drains).
restart_node() {
  local i=$1 pidf="$state_dir/node-n$1.pid" cmdf="$state_dir/node-n$1.cmd" pid
  [[ -f $cmdf ]] || die "no node n$i in $state_dir"
  if pid_alive "$pidf"; then
    pid=$(cat "$pidf")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  local -a cmd
  mapfile -t cmd < "$cmdf"
  setsid nohup "${cmd[@]}" >>"$state_dir/logs/n$i.log" 2>&1 < /dev/null &
  echo $! > "$pidf"
  echo "node n$i restarted (pid $!)"
}

case $command in
  stop) stop_all; echo "stopped"; exit 0 ;;
  status) status; exit 0 ;;
  restart-node) [[ $node =~ ^[0-9]+$ ]] || die "restart-node needs --node I"; restart_node "$node"; exit 0 ;;
  start) ;;
  *) die "unknown command $command (start, stop, status or restart-node)" ;;
esac

nginx_bin=$(command -v nginx || true)
[[ -z $nginx_bin && -x /usr/sbin/nginx ]] && nginx_bin=/usr/sbin/nginx
if [[ -z $nginx_bin ]]; then
  [[ $(id -u) -eq 0 ]] || die "nginx is missing; install it (sudo apt-get install -y nginx) and run again"
  echo "installing nginx from Debian's packages..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx >/dev/null; }
  nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
fi
command -v java >/dev/null || die "java (17 or later) is not on the PATH"

mkdir -p "$state_dir/logs" "$state_dir/nginx"
if [[ ! -f $jar ]]; then
  echo "building the node (mvn package, log in $state_dir/logs/build.log)..."
  (cd "$root" && mvn -B -DskipTests package -pl node-server -am) >"$state_dir/logs/build.log" 2>&1 \
    || { tail -n 30 "$state_dir/logs/build.log" >&2; die "build failed"; }
fi
for f in "$state_dir"/node-*.pid "$state_dir"/nginx.pid; do
  if pid_alive "$f"; then die "a cluster is already running from $state_dir (run: $0 stop --state-dir $state_dir)"; fi
done
rm -f "$state_dir"/*.pid "$state_dir"/*.cmd

for i in $(seq 1 "$nodes"); do
  for port in $((http_base + i - 1)) $((cluster_base + i - 1)) $((cluster_base + i - 1 + 100)); do
    port_in_use "$port" && die "port $port is in use"
  done
done
port_in_use "$lb_port" && die "load balancer port $lb_port is in use"

hosts=""
for i in $(seq 1 "$nodes"); do hosts+="${hosts:+,}127.0.0.1[$((cluster_base + i - 1))]"; done

if [[ $detach == false ]]; then
  trap 'echo; echo "stopping..."; stop_all; echo "stopped"; exit 0' INT TERM
fi

launch() { # name, log, command...
  local name=$1 log=$2; shift 2
  if [[ $detach == true ]]; then
    setsid nohup "$@" >"$log" 2>&1 < /dev/null &
  else
    "$@" >"$log" 2>&1 < /dev/null &
  fi
  echo $! > "$state_dir/$name.pid"
  printf '%s\n' "$@" > "$state_dir/$name.cmd" # restart-node starts it the same way
}

# Nodes start one after the other: each joins the cluster the previous ones formed.
for i in $(seq 1 "$nodes"); do
  http=$((http_base + i - 1))
  launch "node-n$i" "$state_dir/logs/n$i.log" java -Djava.net.preferIPv4Stack=true -Xms64m -Xmx512m -jar "$jar" \
    --node-name "n$i" --bind 127.0.0.1 --http-port "$http" --cluster-port "$((cluster_base + i - 1))" \
    --cluster-hosts "$hosts" "${extra[@]}"
  ready=false
  for _ in $(seq 1 300); do
    if [[ $(http_status "$http" /readyz) == 200 ]]; then ready=true; break; fi
    pid_alive "$state_dir/node-n$i.pid" || break
    sleep 0.1
  done
  if [[ $ready == false ]]; then
    tail -n 20 "$state_dir/logs/n$i.log" >&2 || true
    stop_all
    die "node n$i did not become ready (log: $state_dir/logs/n$i.log)"
  fi
  echo "node n$i ready on http://127.0.0.1:$http"
done

upstreams=""
for i in $(seq 1 "$nodes"); do upstreams+="    server 127.0.0.1:$((http_base + i - 1)) max_fails=1 fail_timeout=2s;"$'\n'; done
cat > "$state_dir/nginx/nginx.conf" <<EOF
# generated by deploy/local-cluster.sh
worker_processes 1;
pid $state_dir/nginx.pid;
error_log $state_dir/logs/nginx-error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $state_dir/nginx/body;
  proxy_temp_path $state_dir/nginx/proxy;
  fastcgi_temp_path $state_dir/nginx/fastcgi;
  uwsgi_temp_path $state_dir/nginx/uwsgi;
  scgi_temp_path $state_dir/nginx/scgi;
  map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
  upstream headcount {
$upstreams  }
  server {
    listen 127.0.0.1:$lb_port;
    location / {
      proxy_pass http://headcount;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_set_header Host \$host;
      proxy_connect_timeout 1s;
      proxy_next_upstream error timeout http_502 http_503;
      # WebSockets live long; the node closes idle ones itself
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
    }
  }
}
EOF
# nginx daemonizes itself and writes its pid file; -e keeps it from opening the system error log.
"$nginx_bin" -p "$state_dir/nginx" -c "$state_dir/nginx/nginx.conf" -e "$state_dir/logs/nginx-error.log" \
  || { stop_all; die "nginx did not start (log: $state_dir/logs/nginx-error.log)"; }
for _ in $(seq 1 50); do [[ $(http_status "$lb_port" /healthz) == 200 ]] && break; sleep 0.1; done

cat <<EOF

Headcount cluster of $nodes nodes is up.
  load balancer    http://127.0.0.1:$lb_port   (WebSocket: ws://127.0.0.1:$lb_port/socket/websocket?vsn=2.0.0)
  demo page        http://127.0.0.1:$lb_port/?topic=video:42   (open it in several tabs)
  dashboard        http://127.0.0.1:$lb_port/dashboard
  counts of video:42  curl http://127.0.0.1:$lb_port/api/topics/video:42
  cluster          curl http://127.0.0.1:$lb_port/api/cluster
  a user token     java -jar node-server/target/headcount-node.jar token --user 42
  nodes            $(for i in $(seq 1 "$nodes"); do printf 'http://127.0.0.1:%s ' $((http_base + i - 1)); done)
  logs             $state_dir/logs
EOF

if [[ $detach == true ]]; then
  echo "  stop with       $0 stop --state-dir $state_dir"
  exit 0
fi
echo "Press Ctrl-C (or send SIGTERM) to stop."
# Runs until a signal (the trap stops everything). A node that dies is reported, the others go on.
reported=()
while true; do
  sleep 1 & wait $! || true
  for i in $(seq 1 "$nodes"); do
    if ! pid_alive "$state_dir/node-n$i.pid" && [[ ! " ${reported[*]:-} " =~ " n$i " ]]; then
      echo "node n$i is gone (log: $state_dir/logs/n$i.log); the others keep running"
      reported+=("n$i")
    fi
  done
done
