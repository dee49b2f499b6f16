#!/usr/bin/env bash
# Placeholder until the GraphiQL vendoring lands: make sure the static dir exists.
set -euo pipefail
mkdir -p var/graphiql-dist
