#!/usr/bin/env bash
# GraphiQL's scripts and styles (and the staff page's graphql-ws client) come from the npm registry at install time and are
# served by Django itself (STATICFILES_DIRS), so GraphiQL works with no internet.
set -euo pipefail
cd "$(dirname "$0")/.."

DIST=var/graphiql-dist/graphiql
STAMP=$DIST/.installed
if [ -f "$STAMP" ] && [ "$STAMP" -nt graphiql/package-lock.json ]; then
  exit 0
fi
if ! command -v npm >/dev/null; then
  echo "!! npm is missing: GraphiQL's assets are installed from the npm registry." >&2
  echo "   Install Node.js and npm (apt-get install nodejs npm) and run make again." >&2
  exit 1
fi
echo "-- installing GraphiQL assets from npm (graphiql/package-lock.json)"
(cd graphiql && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
mkdir -p "$DIST"
modules=graphiql/node_modules
cp "$modules/react/umd/react.production.min.js" \
   "$modules/react-dom/umd/react-dom.production.min.js" \
   "$modules/js-cookie/dist/js.cookie.min.js" \
   "$modules/graphiql/graphiql.min.js" \
   "$modules/graphiql/graphiql.min.css" \
   "$DIST/"
cp "$modules/@graphiql/plugin-explorer/dist/index.umd.js" "$DIST/plugin-explorer.umd.js"
cp "$modules/@graphiql/plugin-explorer/dist/style.css" "$DIST/plugin-explorer.css"
# The staff voice-notes page's subscription client (graphql-transport-ws).
cp "$modules/graphql-ws/umd/graphql-ws.min.js" "$DIST/graphql-ws.min.js"
touch "$STAMP"
echo "-- GraphiQL assets ready in $DIST"
