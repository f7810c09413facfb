#!/usr/bin/env bash
# Obtains rnacos, the real Nacos server the integration tests run against: Nacos re-implemented in
# Rust (crates.io, Apache-2.0), with the 1.x HTTP open API and the 2.x gRPC protocol. Built once
# from source with cargo (a debug build: 5-15 minutes on 2 cores), cached outside the repository by version:
#   $CTMPL_TOOLS_DIR/rnacos-$RNACOS_VERSION/bin/rnacos   (CTMPL_TOOLS_DIR defaults to ~/.cache/ctmpl)
# RNACOS_BIN, when set, is used as it is and nothing is built. Two runs at once build only once.
# Prints the path of the binary; says how long a build took.
set -euo pipefail

RNACOS_VERSION="${RNACOS_VERSION:-0.8.8}"
TOOLS_DIR="${CTMPL_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ctmpl}"
log() { printf 'obtain rnacos: %s\n' "$*" >&2; }

if [ -n "${RNACOS_BIN:-}" ]; then
  echo "$RNACOS_BIN"
  exit 0
fi

root="$TOOLS_DIR/rnacos-$RNACOS_VERSION"
bin="$root/bin/rnacos"
if [ ! -x "$bin" ]; then
  command -v cargo >/dev/null || { log "cargo is needed to build rnacos (apt-get install cargo, or set RNACOS_BIN)"; exit 1; }
  mkdir -p "$TOOLS_DIR"
  # One build at a time: a second caller waits for the first and then finds the binary.
  exec 9>"$root.lock"
  flock 9
  if [ ! -x "$bin" ]; then
    # A debug build without debug info: a test server needs no optimisation, and it compiles in a
    # fraction of a release build's time (measured here: 6.5 CPU-minutes, 14 min on a busy 2-core machine;
    # the release build took 35 min there).
    log "building rnacos $RNACOS_VERSION into $root (first time only; several minutes)"
    start=$(date +%s)
    CARGO_PROFILE_DEV_DEBUG=0 cargo install rnacos --version "$RNACOS_VERSION" --locked --debug --root "$root" >&2
    log "rnacos $RNACOS_VERSION built in $(( $(date +%s) - start ))s"
  fi
fi
echo "$bin"
