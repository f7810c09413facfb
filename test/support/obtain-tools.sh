#!/usr/bin/env bash
# Obtains the real servers the integration tests and benchmarks run against, built from source
# through the Go module proxy, cached outside the repository by version:
#   consul           (pinned CONSUL_VERSION)   → $CTMPL_TOOLS_DIR/consul-$CONSUL_VERSION
#   consul-template  (pinned CT_VERSION)       → $CTMPL_TOOLS_DIR/consul-template-$CT_VERSION
# CONSUL_BIN / CONSUL_TEMPLATE_BIN, when set, are used as they are and nothing is built.
# Usage: obtain-tools.sh [consul|consul-template|all]   (default all)
# Prints the path of each tool obtained, one per line.
set -euo pipefail
want="${1:-all}"

CONSUL_VERSION="${CONSUL_VERSION:-1.22.3}"
CT_VERSION="${CT_VERSION:-0.42.1}"
TOOLS_DIR="${CTMPL_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ctmpl}"
mkdir -p "$TOOLS_DIR"

log() { printf 'obtain-tools: %s\n' "$*" >&2; }

consul_bin="${CONSUL_BIN:-$TOOLS_DIR/consul-$CONSUL_VERSION}"
if [ "$want" != consul-template ] && [ ! -x "$consul_bin" ]; then
  command -v go >/dev/null || { log "go is needed to build consul (or set CONSUL_BIN)"; exit 1; }
  # Consul's root go.mod carries local replace directives, so `go install` refuses it; a
  # throwaway module that requires it (excluding go-msgpack versions that break its build) works.
  work="$TOOLS_DIR/build-consul-$CONSUL_VERSION"
  mkdir -p "$work"
  cat > "$work/go.mod" <<GOMOD
module ctmpl.local/consulbuild

go 1.26

require github.com/hashicorp/consul v$CONSUL_VERSION

exclude (
	github.com/hashicorp/go-msgpack v1.1.5
	github.com/hashicorp/go-msgpack v1.1.6
)
GOMOD
  printf '//go:build tools\n\npackage tools\n\nimport _ "github.com/hashicorp/consul"\n' > "$work/tools.go"
  log "building consul v$CONSUL_VERSION (first time only; several minutes)"
  start=$(date +%s)
  (cd "$work" && go mod tidy >/dev/null 2>&1 && go build -trimpath -o "$consul_bin.tmp" github.com/hashicorp/consul)
  mv "$consul_bin.tmp" "$consul_bin"
  log "consul built in $(( $(date +%s) - start ))s"
fi

ct_bin="${CONSUL_TEMPLATE_BIN:-$TOOLS_DIR/consul-template-$CT_VERSION}"
if [ "$want" != consul ] && [ ! -x "$ct_bin" ]; then
  command -v go >/dev/null || { log "go is needed to build consul-template (or set CONSUL_TEMPLATE_BIN)"; exit 1; }
  log "building consul-template v$CT_VERSION"
  start=$(date +%s)
  gobin="$TOOLS_DIR/gobin-ct-$CT_VERSION"
  GOBIN="$gobin" go install -trimpath "github.com/hashicorp/consul-template@v$CT_VERSION"
  mv "$gobin/consul-template" "$ct_bin"
  rmdir "$gobin" 2>/dev/null || true
  log "consul-template built in $(( $(date +%s) - start ))s"
fi

[ "$want" = consul-template ] || echo "$consul_bin"
[ "$want" = consul ] || echo "$ct_bin"
