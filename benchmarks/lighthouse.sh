#!/usr/bin/env bash
# Lighthouse 12.2.3 (mobile preset: simulated slow 4G, 4x CPU slowdown) against Debian's Chromium, on the demo
# served like production: gunicorn + WhiteNoise with config.settings.production (hashed static files, gzip),
# photos rendered by the real pipeline at their real sizes (thumb 400, tile 800, preview 1,600 px).
#
# Pages: home, /book/, the locked galleries page, the gallery viewer (the e-mailed link /galleries/?code=…,
# which opens the gallery), a contract and an invoice. Prints the median of --runs runs per page (LCP, CLS,
# TBT, performance score) beside the targets of issue 14 and the viewer's numbers before it.
#
# Usage: REDIS_URL=redis://127.0.0.1:6379/N benchmarks/lighthouse.sh [--runs 3] [--port 8765] [--keep] [--reuse DIR] [--only "gallery viewer"]
#   REDIS_URL  required by the production settings; the benchmark EMPTIES that Redis database first (stale
#              rendition look-ups from an earlier run would point at deleted files).
#   Lighthouse is installed from npm into $LIGHTHOUSE_DIR (default ~/.cache/focusflow/lighthouse-12.2.3) on
#   first use, never into the repository. Chromium: $CHROME_PATH (default /usr/bin/chromium).
#   The data lives in a throw-away SQLite database and media folder under a temporary directory (--keep keeps
#   it, with the JSON reports and each run's trace; --reuse DIR measures again on a kept directory's data,
#   without seeding).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY="$ROOT/.venv/bin/python"
LH_VERSION=12.2.3
LH_DIR=${LIGHTHOUSE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/focusflow/lighthouse-$LH_VERSION}
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
RUNS=3
PORT=8765
KEEP=0
REUSE=""
ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --reuse) REUSE=$2; KEEP=1; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
: "${REDIS_URL:?set REDIS_URL (production settings need it; its database is emptied)}"

WORK=${REUSE:-$(mktemp -d -t focusflow-lighthouse-XXXXXX)}
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ "$KEEP" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# 1. Lighthouse from npm, outside the repository.
if [ ! -x "$LH_DIR/node_modules/.bin/lighthouse" ]; then
  echo "installing lighthouse@$LH_VERSION into $LH_DIR" >&2
  mkdir -p "$LH_DIR"
  npm install --prefix "$LH_DIR" --no-audit --no-fund --loglevel=error "lighthouse@$LH_VERSION" >&2
fi
LIGHTHOUSE="$LH_DIR/node_modules/.bin/lighthouse"

# 2. The demo, seeded with the development settings (Celery eager: the pipeline renders every photo in-process).
cd "$ROOT"
export DATABASE_URL="sqlite:///$WORK/db.sqlite3" MEDIA_ROOT="$WORK/media"
dev() { env -u REDIS_URL DJANGO_SETTINGS_MODULE=config.settings.dev "$PY" manage.py "$@"; }
if [ -z "$REUSE" ]; then
  echo "seeding the demo in $WORK (a minute: the pipeline renders every photo)" >&2
  dev migrate --noinput -v0 >&2
  dev seed_demo >/dev/null 2>&1
fi
CONTRACT=$(dev shell -c "from contracts.models import Contract; print(Contract.objects.filter(studio__slug='northlight').order_by('pk').first().token)" | tail -1)

# 3. Production: hashed static files, Redis cache, gunicorn.
export DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY=lighthouse-benchmark-only \
  SECURE_SSL_REDIRECT=false BASE_DOMAIN=localhost PLATFORM_HOSTS=localhost,127.0.0.1 LOG_LEVEL=WARNING
"$PY" manage.py collectstatic --noinput -v0
"$PY" -c "import django; django.setup(); from django.core.cache import cache; cache.clear()"
"$ROOT/.venv/bin/gunicorn" config.wsgi -b "127.0.0.1:$PORT" -w 2 --log-level warning >"$WORK/gunicorn.log" 2>&1 &
SERVER_PID=$!
HOST="northlight.localhost:$PORT"
for _ in $(seq 100); do
  curl -fs -o /dev/null -H "Host: northlight.localhost" "http://127.0.0.1:$PORT/" && break
  sleep 0.2
done

# The viewer's API too (the first client of a gallery builds its photo page; later ones find it cached).
TOKEN=$(curl -fs -H "Host: $HOST" -H "Content-Type: application/json" -d '{"code": "WEDDING24"}' \
  "http://127.0.0.1:$PORT/api/client/galleries/unlock/" | "$PY" -c "import json, sys; a = json.load(sys.stdin); print(a['token'], a['gallery']['id'])")
read -r TOKEN GALLERY_ID <<<"$TOKEN"
for what in "favorites/" "selection/" "photos/?limit=60" ""; do
  curl -fs -o /dev/null -H "Host: $HOST" -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$PORT/api/client/galleries/$GALLERY_ID/$what" || true
done

# 4. Lighthouse, page by page.
PAGES=(
  "home|/"
  "book|/book/"
  "galleries (locked)|/galleries/"
  "gallery viewer|/galleries/?code=WEDDING24"
  "contract|/contracts/$CONTRACT/"
  "invoice|/invoices/demo-northlight-paid/"
)
if [ -n "$ONLY" ]; then
  for entry in "${PAGES[@]}"; do [ "${entry%%|*}" = "$ONLY" ] && PAGES=("$entry") && break; done
fi
# Kept runs keep their traces too (<page>-<run>-0.trace.json, Lighthouse's --save-assets): what the main thread did.
ASSETS=()
[ "$KEEP" = 1 ] && ASSETS=(--save-assets)
for entry in "${PAGES[@]}"; do
  name=${entry%%|*}
  path=${entry#*|}
  slug=$(echo "$name" | tr -c 'a-z0-9\n' '-')
  # A warm-up visit fills the server's caches (rendition look-ups, photo pages), as on a live site.
  curl -fs -o /dev/null -H "Host: $HOST" "http://127.0.0.1:$PORT$path" || true
  rm -f "$WORK/$slug"-*.json
  for run in $(seq "$RUNS"); do
    "$LIGHTHOUSE" "http://$HOST$path" --quiet --only-categories=performance --output=json "${ASSETS[@]}" \
      --output-path="$WORK/$slug-$run.json" \
      --chrome-flags="--headless=new --no-sandbox --disable-gpu --host-resolver-rules=MAP *.localhost 127.0.0.1" \
      >/dev/null 2>>"$WORK/lighthouse.log" || echo "lighthouse failed on $path (see $WORK/lighthouse.log)" >&2
  done
done

# 5. The table: medians over the runs, beside the targets.
"$PY" - "$WORK" "$RUNS" "${PAGES[@]}" <<'PYTHON'
import json
import os
import statistics
import sys

work, runs, pages = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
BEFORE = {"gallery viewer": "LCP 2.04 s, CLS 0.168, TBT 123 ms (issue 14)"}
TARGET = {"gallery viewer": "LCP < 1.5 s, CLS < 0.05, TBT < 100 ms"}
load = os.getloadavg()
print(f"Lighthouse 12.2.3, mobile preset, {runs} run(s) per page, median; load average {load[0]:.2f} {load[1]:.2f}")
print("gunicorn (2 sync workers) + WhiteNoise, config.settings.production, SQLite, Redis cache\n")
header = f"{'page':<20} {'LCP s':>6} {'CLS':>6} {'TBT ms':>7} {'score':>6}  target / before"
print(header)
print("-" * len(header))
for entry in pages:
    name, path = entry.split("|", 1)
    slug = "".join(c if c.isalnum() else "-" for c in name.lower())
    values = {"lcp": [], "cls": [], "tbt": [], "score": []}
    for run in range(1, runs + 1):
        try:
            with open(os.path.join(work, f"{slug}-{run}.json")) as f:
                report = json.load(f)
        except (OSError, ValueError):
            continue
        audits = report["audits"]
        if report.get("runtimeError") or "numericValue" not in audits["largest-contentful-paint"]:
            continue  # a failed run (Lighthouse's NO_NAVSTART and the like): the others count
        values["lcp"].append(audits["largest-contentful-paint"]["numericValue"] / 1000)
        values["cls"].append(audits["cumulative-layout-shift"]["numericValue"])
        values["tbt"].append(audits["total-blocking-time"]["numericValue"])
        values["score"].append(round((report["categories"]["performance"]["score"] or 0) * 100))
    if not values["lcp"]:
        print(f"{name:<20} {'(no report)':>28}")
        continue
    m = {k: statistics.median(v) for k, v in values.items()}
    note = TARGET.get(name, "score 100")
    if name in BEFORE:
        note += f" / before: {BEFORE[name]}"
    print(f"{name:<20} {m['lcp']:>6.2f} {m['cls']:>6.3f} {m['tbt']:>7.0f} {m['score']:>6.0f}  {note}")
PYTHON
