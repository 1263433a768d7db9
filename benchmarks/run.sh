#!/usr/bin/env bash
# Runs every benchmark of Headcount and rewrites BENCHMARKS.md with the figures (about 10 minutes on
# a 2-core machine; at most 15). Run it on a quiet machine: other load skews every figure.
#
#   benchmarks/run.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mvn -q -B -DskipTests package -pl benchmarks -am
jar=benchmarks/target/headcount-benchmarks.jar
java_run=(java -Djava.net.preferIPv4Stack=true)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

section() { # title, command...
  local title=$1; shift
  echo "running: $title" >&2
  { echo "## $title"; echo; echo "Command: \`$*\`"; echo; "$@" 2>/dev/null | grep '^|'; echo; } >> "$work/sections.md"
}
section "Tracker alone (one JVM, no peers)" "${java_run[@]}" -Xmx4g -jar "$jar" tracker
section "Replication (trackers over JGroups on loopback, one JVM)" "${java_run[@]}" -jar "$jar" replication
section "Node processes (3 JVMs on loopback, real sockets)" "${java_run[@]}" -jar "$jar" cluster
section "WebSocket load (3 node JVMs on loopback, the load generator in its own JVM)" "${java_run[@]}" -Xmx2g -jar "$jar" websocket

echo "running: JMH" >&2
"${java_run[@]}" -jar "$jar" jmh -f 1 -wi 3 -i 5 -w 1s -r 1s -rf text -rff "$work/jmh.txt" >/dev/null 2>&1
{
  echo "## Micro-benchmarks (JMH)"
  echo
  echo "Command: \`java -jar $jar jmh -f 1 -wi 3 -i 5 -w 1s -r 1s\` (one fork, 3 warm-up and 5 measured"
  echo "iterations of 1 s: short, so the error column is wide on 2 cores)."
  echo
  echo '```'
  cat "$work/jmh.txt"
  echo '```'
  echo
} >> "$work/sections.md"

{
  echo "# Benchmarks"
  echo
  echo "Written by \`benchmarks/run.sh\` on $(date -u +%Y-%m-%d) ($(date -u +%H:%M) UTC). Machine: $(nproc) cores,"
  echo "$(free -g | awk '/Mem:/ {print $2}') GiB, $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r),"
  echo "$(java -version 2>&1 | head -1). Loopback only. Each section names the command of its figures."
  echo
  echo "## Targets"
  echo
  echo "Every figure with a target (issue 6), as measured below:"
  echo
  echo "| figure | measured | target |"
  echo "|---|---|---|"
  grep -h 'target' "$work/sections.md" | grep '^|' | sed -E 's/^\| ([^|]*) \| ([^|]*) \|.*target ([^|]*) \|$/| \1 | \2 | \3 |/'
  echo
  cat "$work/sections.md"
  # figures the test suite prints (FIGURE lines of mvn -B verify) are kept as they were written
  if [[ -f BENCHMARKS.md ]]; then sed -n '/^<!-- figures from the tests -->/,$p' BENCHMARKS.md; fi
} > BENCHMARKS.md.new
mv BENCHMARKS.md.new BENCHMARKS.md
echo "wrote BENCHMARKS.md" >&2
