#!/usr/bin/env bash
# Builds the Headcount images with no registry: a Java 17 base image made from this machine's JDK
# (jlink) and the shared libraries it needs, the node image on top of it (deploy/Dockerfile), and
# a HAProxy image from Debian's package for the compose load balancer. Nothing is pulled.
#
#   deploy/build-image.sh [--tag TAG]      images: headcount-base:17, headcount:TAG (default latest), headcount-haproxy:TAG
#
# With a registry, build the node image from any Java 17 runtime instead:
#   docker build --build-arg BASE_IMAGE=eclipse-temurin:17-jre -f deploy/Dockerfile -t headcount <dir with headcount-node.jar>
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

tag=latest
while [ $# -gt 0 ]; do
  case "$1" in
    --tag) tag="$2"; shift 2 ;;
    *) echo "build-image.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

command -v docker >/dev/null || { echo "build-image.sh: docker is required" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "build-image.sh: no Docker engine answers (see README, Deploy)" >&2; exit 1; }

jar=node-server/target/headcount-node.jar
if [ ! -f "$jar" ]; then
  mvn -q -B -DskipTests package -pl node-server -am
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Copies files and every shared library they load (and the dynamic loader) into a root file system.
copy_with_libraries() {
  local root=$1; shift
  local f lib
  for f in "$@"; do
    mkdir -p "$root$(dirname "$f")"
    cp -L "$f" "$root$f"
    for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*' | sort -u); do
      if [ ! -e "$root$lib" ]; then
        mkdir -p "$root$(dirname "$lib")"
        cp -L "$lib" "$root$lib"
      fi
    done
  done
}

# The files every image needs: a non-root user, name resolution, a writable /tmp.
base_files() {
  local root=$1
  mkdir -p "$root/etc" "$root/tmp"
  chmod 1777 "$root/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nheadcount:x:10001:10001:headcount:/tmp:/sbin/nologin\n' > "$root/etc/passwd"
  printf 'root:x:0:\nheadcount:x:10001:\n' > "$root/etc/group"
  printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"
}

if ! docker image inspect headcount-base:17 >/dev/null 2>&1; then
  echo "making headcount-base:17 from $(java -version 2>&1 | head -1)"
  root="$work/base"
  base_files "$root"
  modules=$(jdeps --ignore-missing-deps --print-module-deps --multi-release 17 "$jar")
  # jdeps sees no use of these, which are loaded by name: JGroups' XML stack, DNS discovery, JMX.
  modules="$modules,java.xml,java.management,jdk.naming.dns"
  jlink --add-modules "$modules" --strip-debug --no-man-pages --no-header-files --compress=2 \
        --output "$root/opt/java"
  mapfile -t natives < <(find "$root/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \))
  for f in "${natives[@]}"; do
    for lib in $(ldd "$f" 2>/dev/null | grep -o '/[^ ]*' | sort -u); do
      [ -e "$root$lib" ] || { mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"; }
    done
  done
  tar -C "$root" -c . | docker import --change 'ENV PATH=/opt/java/bin' --change 'ENV JAVA_HOME=/opt/java' \
      - headcount-base:17 >/dev/null
fi

ctx="$work/node"
mkdir -p "$ctx"
cp "$jar" "$ctx/headcount-node.jar"
docker build -q --build-arg BASE_IMAGE=headcount-base:17 -f deploy/Dockerfile -t "headcount:$tag" "$ctx" >/dev/null
echo "built headcount:$tag"

if ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then
  echo "installing haproxy (Debian package) for the load balancer image"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends haproxy >/dev/null 2>&1
fi
root="$work/haproxy"
base_files "$root"
copy_with_libraries "$root" /usr/sbin/haproxy
mkdir -p "$root/usr/local/etc/haproxy" "$root/var/lib/haproxy"
tar -C "$root" -c . | docker import --change 'USER 10001:10001' \
    --change 'ENTRYPOINT ["/usr/sbin/haproxy", "-W", "-db", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]' \
    - "headcount-haproxy:$tag" >/dev/null
echo "built headcount-haproxy:$tag"
