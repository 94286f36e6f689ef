#!/usr/bin/env bash
# Refresh the browser libraries under guanxi/static/vendor/ from the npm registry.
# Nothing is fetched at run time: the files are committed. Change a version here, run the
# script, look at the pages, commit.
set -euo pipefail

BOOTSTRAP=5.3.9
BOOTSTRAP_ICONS=1.13.2
HTMX=2.0.11
# Alpine's CSP build (no eval: the Content-Security-Policy forbids it); same major as alpinejs.
ALPINE_CSP=3.17.4
ECHARTS=6.1.0
SORTABLE=1.15.7

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$ROOT/guanxi/static/vendor"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

fetch() {  # fetch <package> <version>: unpack the npm tarball into $WORK/<package>
  local dir="$WORK/$1"
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "$1@$2" >/dev/null && tar -xzf ./*.tgz)
  echo "$dir/package"
}

rm -rf "$DEST"
mkdir -p "$DEST"/{bootstrap,bootstrap-icons/fonts,htmx,alpinejs,echarts,sortablejs}

pkg=$(fetch bootstrap "$BOOTSTRAP")
cp "$pkg/dist/css/bootstrap.min.css" "$pkg/dist/js/bootstrap.bundle.min.js" "$DEST/bootstrap/"
cp "$pkg/LICENSE" "$DEST/bootstrap/LICENSE"

pkg=$(fetch bootstrap-icons "$BOOTSTRAP_ICONS")
cp "$pkg/font/bootstrap-icons.min.css" "$DEST/bootstrap-icons/"
cp "$pkg/font/fonts/bootstrap-icons.woff2" "$pkg/font/fonts/bootstrap-icons.woff" \
  "$DEST/bootstrap-icons/fonts/"
cp "$pkg/LICENSE" "$DEST/bootstrap-icons/LICENSE"

pkg=$(fetch htmx.org "$HTMX")
cp "$pkg/dist/htmx.min.js" "$DEST/htmx/"
cp "$pkg/LICENSE" "$DEST/htmx/LICENSE"

pkg=$(fetch @alpinejs/csp "$ALPINE_CSP")
cp "$pkg/dist/cdn.min.js" "$DEST/alpinejs/alpine-csp.min.js"
if [ -f "$pkg/LICENSE.md" ]; then cp "$pkg/LICENSE.md" "$DEST/alpinejs/LICENSE"; fi

pkg=$(fetch echarts "$ECHARTS")
cp "$pkg/dist/echarts.min.js" "$DEST/echarts/"
cp "$pkg/LICENSE" "$DEST/echarts/LICENSE"

pkg=$(fetch sortablejs "$SORTABLE")
cp "$pkg/Sortable.min.js" "$pkg/LICENSE" "$DEST/sortablejs/"

cat > "$DEST/VERSIONS.txt" <<TXT
# Browser libraries served from our own static files (refresh: scripts/vendor-assets.sh)
bootstrap        $BOOTSTRAP        bootstrap.min.css, bootstrap.bundle.min.js
bootstrap-icons  $BOOTSTRAP_ICONS        bootstrap-icons.min.css, fonts/bootstrap-icons.woff2, .woff
htmx.org         $HTMX        htmx.min.js (stay on 2.0.x: 4.x changes semantics)
@alpinejs/csp    $ALPINE_CSP       dist/cdn.min.js as alpine-csp.min.js (the CSP build: no eval)
echarts          $ECHARTS        echarts.min.js
sortablejs       $SORTABLE       Sortable.min.js (kanban board drag and drop)
TXT
echo "Vendored into $DEST"
