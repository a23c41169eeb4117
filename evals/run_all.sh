#!/usr/bin/env bash
# Runs every sweep preset behind docs/performance.md, one after another (about half an hour on the
# 2-core machine): `npm run bench:all`. Each writes results/<preset>/.
set -euo pipefail
cd "$(dirname "$0")/.."
for preset in reference core seven efficiency anchor scaling decode long \
  quarter-million-bsbr quarter-million-linear quarter-million-deltanet; do
  echo "== $preset: $(date -u +%FT%TZ)"
  bash evals/run.sh "$preset"
done
