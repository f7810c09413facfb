#!/usr/bin/env bash
# Obtains the Eureka server the integration tests run against: Spring Cloud Netflix's server in a
# tiny Spring Boot app (./server), built with Maven from Maven Central once and cached outside the
# repository by its Spring Cloud release train:
#   $CTMPL_TOOLS_DIR/eureka-server-<spring-cloud.version>.jar   (default dir ~/.cache/ctmpl)
# EUREKA_SERVER_JAR, when set, is used as it is and nothing is built.
# Prints the path of the jar. Needs java (17+) and mvn for the first build.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf 'eureka/obtain: %s\n' "$*" >&2; }

if [ -n "${EUREKA_SERVER_JAR:-}" ]; then
  echo "$EUREKA_SERVER_JAR"
  exit 0
fi

# The version comes from the pom, so changing the pom changes the cached file's name.
version="$(sed -n 's:.*<spring-cloud.version>\(.*\)</spring-cloud.version>.*:\1:p' "$here/server/pom.xml")"
[ -n "$version" ] || { log "no <spring-cloud.version> in $here/server/pom.xml"; exit 1; }
TOOLS_DIR="${CTMPL_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ctmpl}"
mkdir -p "$TOOLS_DIR"
jar="$TOOLS_DIR/eureka-server-$version.jar"

if [ ! -f "$jar" ]; then
  # Two test runs starting together build once: the second waits for the first.
  exec 9>"$TOOLS_DIR/eureka-server-$version.lock"
  flock 9
  if [ ! -f "$jar" ]; then
    command -v mvn >/dev/null || { log "mvn (Maven) is needed to build the Eureka server (or set EUREKA_SERVER_JAR)"; exit 1; }
    command -v java >/dev/null || { log "java 17+ is needed to build and run the Eureka server"; exit 1; }
    # Built in a copy, so no target/ directory appears in the repository.
    work="$TOOLS_DIR/build-eureka-server-$version"
    rm -rf "$work"
    mkdir -p "$work"
    cp -R "$here/server/." "$work/"
    log "building the Eureka server (Spring Cloud $version) with Maven: first time only, about a minute"
    start=$(date +%s)
    # Debian's Maven 3.8 prints colour resets even when quiet: stripped (pipefail keeps its status).
    (cd "$work" && mvn -q -B -Dstyle.color=never package -DskipTests 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2)
    mv "$work/target/eureka-server.jar" "$jar.tmp"
    mv "$jar.tmp" "$jar"
    rm -rf "$work"
    log "Eureka server built in $(( $(date +%s) - start ))s: $jar"
  fi
fi
echo "$jar"
