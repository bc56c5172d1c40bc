#!/usr/bin/env bash
# The README's GenPRM table: eval-prm on a fresh testbed ProcessBench set for modes
# full / analyze / direct x K = 1, 4, 8 on its first 100 items, and the hard-label critic
# in full mode, K = 1.
# Every run resumes from its predictions file; the table is printed from the metrics files.
#   scripts/eval-genprm-grid.sh [CRITIC_DIR] [HARD_CRITIC_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
critic=${1:-models/genprm-tiny}
hard=${2:-runs/sft-genprm-tiny-hard/final}
data=data/processbench-test.jsonl
out=runs/eval-genprm
[ -f "$data" ] || bin/coach data processbench --task arithmetic --n 200 --seed 11 --out "$data"
for mode in full analyze direct; do
  for k in 1 4 8; do
    bin/coach eval-prm --critic "$critic" --data "$data" --mode "$mode" --samples "$k" --seed 0 --limit 100 \
      --batch 32 --no-progress --out "$out/rpe-$mode-k$k" > /dev/null
  done
done
if [ -d "$hard" ]; then
  bin/coach eval-prm --critic "$hard" --data "$data" --mode full --samples 1 --seed 0 --limit 100 \
    --batch 32 --no-progress --out "$out/hard-full-k1" > /dev/null
fi
python3 - "$out" <<'PY'
import json, pathlib, sys
print("| labels | mode | K | mean F1 | acc. erroneous | acc. correct |")
print("|---|---|---|---|---|---|")
for d in sorted(pathlib.Path(sys.argv[1]).iterdir()):
    m = json.loads((d / "metrics.json").read_text())
    labels, mode, k = d.name.split("-")
    s = next(iter(m["subsets"].values()))
    print(f"| {labels} | {mode} | {k[1:]} | {m['mean_f1']:.3f} | {s['acc_error']:.3f} | {s['acc_correct']:.3f} |")
PY
