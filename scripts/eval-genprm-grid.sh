#!/usr/bin/env bash
# The README's GenPRM table: eval-prm on a fresh testbed ProcessBench set (200 items) with
#   - the shipped critic (full-mode conversations, hard labels) in modes full / analyze / direct
#     with K = 8, and full mode with one greedy critique and with K = 8 at temperature 0.3;
#   - the same recipe on RPE labels (epsilon 0.8), full mode, K = 8;
#   - the same recipe on analyze-mode conversations (no code), analyze mode, K = 8: the fair
#     measure of what the code adds, since the shipped critic never learned to judge without code.
# The K = 1 and K = 4 columns come from the K = 8 runs (metrics.json's by_samples: every set of
# that many of the 8 samples scored as a run of its own, averaged), so they are expectations, not
# single draws. The interval is a bootstrap over the items of the run's own F1 (metrics.json's
# f1_ci95): on 200 items it is about ten points wide. Accuracy is split by kind of mistake
# (arithmetic slips against the rest). Every run resumes from its predictions file; the table is
# printed from the metrics files. A missing ablation critic leaves its rows out.
#   scripts/eval-genprm-grid.sh [CRITIC_DIR] [RPE_CRITIC_DIR] [ANALYZE_CRITIC_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
critic=${1:-models/genprm-tiny}
rpe=${2:-runs/sft-genprm-tiny-rpe/final}
nocode=${3:-runs/sft-genprm-tiny-analyze/final}
data=data/processbench-test.jsonl
out=runs/eval-genprm
# eval-prm's default; the slip columns recompute each item's first flagged step with it.
threshold=0.45
[ -f "$data" ] || bin/coach data processbench --task arithmetic --n 200 --seed 11 --out "$data"
cells=()
# cell NAME CRITIC MODE K [eval-prm options...]
cell() {
  local name=$1 dir=$2 mode=$3 k=$4
  shift 4
  [ -d "$dir" ] || return 0
  bin/coach eval-prm --critic "$dir" --data "$data" --mode "$mode" --samples "$k" --seed 0 \
    --threshold "$threshold" --batch 32 --no-progress --out "$out/$name" "$@" > /dev/null
  cells+=("$name")
}
for mode in full analyze direct; do cell "hard-$mode-k8" "$critic" "$mode" 8; done
cell hard-full-k1-greedy "$critic" full 1 --temperature 0
cell hard-full-k8-t03 "$critic" full 8 --temperature 0.3
cell rpe-full-k8 "$rpe" full 8
cell nocode-analyze-k8 "$nocode" analyze 8
python3 - "$out" "$data" "$threshold" "${cells[@]}" <<'PY'
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
threshold = float(sys.argv[3])
first_flagged = lambda rewards: next((t for t, r in enumerate(rewards) if r < threshold), -1)
CRITICS = {"hard": "genprm-tiny: full conversations, hard labels",
           "rpe": "full conversations, RPE labels",
           "nocode": "analyze-mode conversations, hard labels"}
print("| critic trained on | mode | temperature | mean F1, K = 1 | K = 4 | K = 8 | run's F1, 95% interval | acc. erroneous | acc. correct | acc. on slips | acc. on other mistakes |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for d in (pathlib.Path(sys.argv[1]) / name for name in sys.argv[4:]):
    m = json.loads((d / "metrics.json").read_text())
    critic, mode, *_ = d.name.split("-")
    s = next(iter(m["subsets"].values()))
    lo, hi = next(iter(m["f1_ci95"].values()))
    by = {b["samples"]: b for b in m.get("by_samples", [])}
    f1 = lambda n: f"{by[n]['mean_f1']:.3f}" + (f" ± {by[n]['sd']:.3f}" if n == 1 else "") if n in by else ""
    k1, k4, k8 = (f1(1), f1(4), f1(8)) if by else (f"{m['mean_f1']:.3f}", "", "")
    hits = {True: [], False: []}
    for p in map(json.loads, open(d / "predictions.jsonl")):
        item = items[p["id"]]
        if item["label"] >= 0:
            hits[slip(item["steps"][item["label"]])].append(first_flagged(p["step_rewards"]) == item["label"])
    share = lambda h: f"{sum(h) / len(h):.2f} ({len(h)})" if h else "-"
    temperature = json.loads((d / "run.json").read_text())["temperature"]
    # The accuracies are the run's own: K = 8 for the sampled runs.
    print(f"| {CRITICS[critic]} | {mode} | {temperature} | {k1} | {k4} | {k8} | {lo:.3f}–{hi:.3f} | {s['acc_error']:.3f} | {s['acc_correct']:.3f}"
          f" | {share(hits[True])} | {share(hits[False])} |")
PY
