#!/bin/sh
# The part of the official image's entrypoint the compose example relies on: `agent …` runs
# `consul agent` with /consul/data and the mounted configuration directory /consul/config; any
# other first word that is not a program is a consul subcommand.
set -e
if [ "$1" = agent ]; then
  shift
  set -- consul agent -data-dir=/consul/data -config-dir=/consul/config "$@"
elif [ -n "$1" ] && ! command -v "$1" >/dev/null 2>&1; then
  set -- consul "$@"
fi
exec "$@"
