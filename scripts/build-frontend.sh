#!/usr/bin/env bash
# Rebuild the vendored GOV.UK Frontend files in commonroom/static/govuk/.
#
# MAINTAINER-ONLY STEP. Commonroom never needs Node at install or run time:
# the compiled CSS and JS are committed. Run this only to move to another
# govuk-frontend release or to change the brand settings below, then commit
# the result together with the updated VERSION file.
#
# Needs: node and npm (reaching the npm registry). Usage:
#   scripts/build-frontend.sh            # pinned versions below
#   GOVUK_FRONTEND_VERSION=5.x.y scripts/build-frontend.sh
set -euo pipefail

GOVUK_FRONTEND_VERSION="${GOVUK_FRONTEND_VERSION:-5.14.0}"
SASS_VERSION="${SASS_VERSION:-1.108.2}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/commonroom/static/govuk"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/commonroom-frontend.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

cd "$WORK"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts \
  "govuk-frontend@${GOVUK_FRONTEND_VERSION}" "sass@${SASS_VERSION}" >/dev/null

PKG="$WORK/node_modules/govuk-frontend"
INSTALLED="$(node -p "require('$PKG/package.json').version")"

# Our brand: no GDS Transport font, no crown, a deep teal brand colour
# (#00625e has a contrast ratio of about 7.2:1 with white text: WCAG AAA).
# The footer's copyright crest is the only image the Sass references; our
# image URL function drops it so the CSS points at no GOV.UK-only asset.
cat > commonroom.scss <<'SCSS'
@function commonroom-image-url($filename) {
  @if $filename == "govuk-crest.svg" {
    @return none;
  }
  @return url($govuk-images-path + $filename);
}

$govuk-font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
$govuk-include-default-font-face: false;
$govuk-brand-colour: #00625e;
$govuk-assets-path: "assets/";
$govuk-image-url-function: "commonroom-image-url";
// Style bare <a> and <p> too: third-party templates (django-allauth) and
// help texts hold links without GOV.UK classes.
$govuk-global-styles: true;

@import "govuk-frontend/dist/govuk/index";
SCSS

npx sass --style=compressed --no-source-map --load-path=node_modules \
  --quiet-deps --silence-deprecation=import \
  commonroom.scss govuk-frontend.min.css

if grep -q "GDS Transport\|govuk-crest\|\.woff" govuk-frontend.min.css; then
  echo "build-frontend: compiled CSS still mentions GOV.UK fonts or crest" >&2
  exit 1
fi

mkdir -p "$OUT"
cp govuk-frontend.min.css "$OUT/govuk-frontend.min.css"
# The ES module bundle (loaded with <script type="module">).
cp "$PKG/dist/govuk/govuk-frontend.min.js" "$OUT/govuk-frontend.min.js"
# Strip the trailing source map comment: we do not ship the map (and
# Django's ManifestStaticFilesStorage would fail looking for it).
sed -i -e 's|//# sourceMappingURL=[^ ]*$||' "$OUT/govuk-frontend.min.js"

# Copy any image the CSS still refers to (none today; kept for upgrades).
rm -rf "$OUT/assets"
for ref in $(grep -o 'url([^)]*)' "$OUT/govuk-frontend.min.css" | sed -e 's/^url(//' -e 's/)$//' -e 's/["'\'']//g' | sort -u); do
  case "$ref" in
    data:*) continue ;;
    assets/*)
      mkdir -p "$OUT/$(dirname "$ref")"
      cp "$PKG/dist/govuk/$ref" "$OUT/$ref"
      ;;
    *) echo "build-frontend: unexpected url($ref) in CSS" >&2; exit 1 ;;
  esac
done

cat > "$OUT/VERSION" <<TXT
govuk-frontend ${INSTALLED}
Source: npm package govuk-frontend@${INSTALLED}, compiled with sass@${SASS_VERSION}
by scripts/build-frontend.sh (Commonroom brand: system font stack, no
GDS Transport font, no crown, brand colour #00625e).
Licence: MIT, Copyright (C) Crown Copyright (Government Digital Service);
see LICENSE in this folder. The GOV.UK crown, crest and GDS Transport font
are not included: they are not covered by the MIT licence and are only for
GOV.UK services.
TXT

test -f "$OUT/LICENSE" || { echo "build-frontend: $OUT/LICENSE missing (MIT text of govuk-frontend)" >&2; exit 1; }
echo "Built govuk-frontend ${INSTALLED} into ${OUT#$ROOT/}"
