#!/usr/bin/env bash
# The README's GenPRM table: eval-prm on a fresh testbed ProcessBench set for modes
# full / analyze / direct x K = 1, 4, 8 on its first 100 items with the shipped critic (trained on
# hard labels), and the critic trained on RPE labels (the ablation) in full mode, K = 1; accuracy is
# split by kind of mistake (arithmetic slips against the rest).
# Every run resumes from its predictions file; the table is printed from the metrics files.
#   scripts/eval-genprm-grid.sh [CRITIC_DIR] [RPE_CRITIC_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
critic=${1:-models/genprm-tiny}
rpe=${2:-runs/sft-genprm-tiny-rpe/final}
data=data/processbench-test.jsonl
out=runs/eval-genprm
[ -f "$data" ] || bin/coach data processbench --task arithmetic --n 200 --seed 11 --out "$data"
for mode in full analyze direct; do
  for k in 1 4 8; do
    bin/coach eval-prm --critic "$critic" --data "$data" --mode "$mode" --samples "$k" --seed 0 --limit 100 \
      --batch 32 --no-progress --out "$out/hard-$mode-k$k" > /dev/null
  done
done
if [ -d "$rpe" ]; then
  bin/coach eval-prm --critic "$rpe" --data "$data" --mode full --samples 1 --seed 0 --limit 100 \
    --batch 32 --no-progress --out "$out/rpe-full-k1" > /dev/null
fi
python3 - "$out" "$data" <<'PY'
import json, pathlib, re, sys
# An item's mistake is an arithmetic slip when the equation of its first wrong step does not hold:
# only a check that computes can find those, so full mode should beat analyze mode on them.
EQ = re.compile(r"(\d+)\s*([+−×÷])\s*(\d+)\s*=\s*(\d+)")
def slip(step):
    m = EQ.search(step)
    if not m: return False
    l, op, r, res = int(m[1]), m[2], int(m[3]), int(m[4])
    value = {"+": l + r, "−": l - r, "×": l * r, "÷": l / r if r else None}[op]
    return value != res
items = {i["id"]: i for i in map(json.loads, open(sys.argv[2]))}
print("| labels | mode | K | mean F1 | acc. erroneous | acc. correct | acc. on slips | acc. on other mistakes |")
print("|---|---|---|---|---|---|---|---|")
for d in sorted(pathlib.Path(sys.argv[1]).iterdir()):
    m = json.loads((d / "metrics.json").read_text())
    labels, mode, k = d.name.split("-")
    s = next(iter(m["subsets"].values()))
    hits = {True: [], False: []}
    for p in map(json.loads, open(d / "predictions.jsonl")):
        item = items[p["id"]]
        if item["label"] >= 0:
            hits[slip(item["steps"][item["label"]])].append(p["first_error_step"] == item["label"])
    share = lambda h: f"{sum(h) / len(h):.2f} ({len(h)})" if h else "-"
    print(f"| {labels} | {mode} | {k[1:]} | {m['mean_f1']:.3f} | {s['acc_error']:.3f} | {s['acc_correct']:.3f}"
          f" | {share(hits[True])} | {share(hits[False])} |")
PY
