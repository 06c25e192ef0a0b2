#!/usr/bin/env bash
# Device check of the experiments (issue 16), for a machine with 16 CPU cores and one GPU.
#
#   PY=/path/to/venv/bin/python OUT=/some/folder bash benchmarks/device_experiments.sh
#
# Needs only `pip install -e .[test,experiments]` (torch). Everything runs at once; training
# stops at TOTAL seconds (default 480) after the start, then the tables and plots are written
# (about 20 s), so the script ends within about 8.5 minutes. A part stopped by the
# deadline keeps its finished runs (the grids resume) and its table/plot come from them:
#
#   (a) cores 0,1   the quick Start-End Similarity preset pinned to 2 cores, wall time printed
#                   (the budget is <= 15 min on 2 cores; expected about 5-7 min);
#   (b) cores 2-6   the rank-r regression task: RAC, LSTM, GRU at depth 1 and 2 (matched to the
#                   depth-1 RAC with 4 channels), r = 1,2,3,4,6,8,12,16, seeds 0-2 (144 runs);
#   (c) cores 7-11  Start-End Similarity T = 20, m = 5 (the quick setting), seeds 0-4, cells
#                   rac, scornn, lstm, gru at depth 1 and 2; then the quick SES preset with
#                   --authors (offset layout, their conventions, RMSProp, no clip, schedule);
#   (d) GPU         cores 13-15: the full SES preset's cost estimate on cuda, then the full
#                   preset cut to T = 60 and 3000 steps, seeds 0-2, on cuda (3 workers);
#                   core 12: the full preset's cost estimate on one CPU core.
#
# Outputs under $OUT: <part>/ (records, <task>_table.md, <task>_accuracy.png, summary.json),
# <part>.log, timings.txt.
set -u
PY=${PY:-python}
OUT=${OUT:-device-experiments-out}
TOTAL=${TOTAL:-480}          # seconds after the start at which every training part is stopped
START=$(date +%s)
mkdir -p "$OUT"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONUNBUFFERED=1
EXP="$PY -m tnrnn experiment"
EXTRA=${EXTRA:-}               # appended to every training command (a smoke test: EXTRA="--steps 4 ...")
NPROC=$(nproc --all)   # --all: plain nproc obeys the OMP_NUM_THREADS=1 exported above
have_gpu=$($PY -c "import torch; print(int(torch.cuda.is_available()))" 2>/dev/null || echo 0)
echo "cores: $NPROC, cuda: $have_gpu, $(date -u)" | tee "$OUT/timings.txt"

cores() {  # cores LO HI: that range if the machine has it, else every core
    if [ "$NPROC" -gt "$2" ]; then echo "$1-$2"; else echo "0-$((NPROC - 1))"; fi
}

timed() {  # timed NAME CORES COMMAND...: run pinned, with the limit, and log the wall time
    local name=$1 cpus=$2; shift 2
    local t0=$(date +%s)
    local left=$((START + TOTAL - t0))
    if [ "$left" -lt 20 ]; then echo "$name: no time left, skipped" | tee -a "$OUT/timings.txt"; return; fi
    timeout -s INT -k 20 "$left" taskset -c "$cpus" "$@" > "$OUT/$name.log" 2>&1
    local rc=$?
    printf "%-22s cores %-6s rc %3s wall %5d s\n" "$name" "$cpus" "$rc" "$(( $(date +%s) - t0 ))" \
        | tee -a "$OUT/timings.txt"
}

# (a) the quick preset on 2 cores, exactly as a user runs it
( timed ses_quick 0,1 $EXP ses --quick --no-progress --out "$OUT/ses_quick" $EXTRA ) &
A=$!

# (b) the rank task, three cells, two depths
( timed rank_cells "$(cores 2 6)" $EXP rank --quick --cells rac,lstm,gru --workers 5 --no-progress \
      --out "$OUT/rank_cells" $EXTRA ) &
B=$!

# (c) SES at the quick setting, every cell, five seeds; then the authors' settings
( timed ses_cells "$(cores 7 11)" $EXP ses --quick --lengths 20 --seeds 0-4 --cells rac,scornn,lstm,gru \
      --workers 5 --no-progress --out "$OUT/ses_cells" $EXTRA
  timed ses_authors "$(cores 7 11)" $EXP ses --quick --authors --seeds 0-4 --lengths 20 \
      --workers 5 --no-progress --out "$OUT/ses_authors" $EXTRA ) &
C=$!

# (d) the GPU: the full preset's cost, then a cut-down full preset on cuda
if [ "$have_gpu" = 1 ]; then
  ( timed full_estimate_cpu "$(cores 12 12)" $EXP ses --preset full --estimate --workers 16 ) &
  E=$!
  ( timed full_estimate_cuda "$(cores 13 15)" $EXP ses --preset full --estimate --device cuda --workers 3
    timed ses_full_cuda "$(cores 13 15)" $EXP ses --preset full --lengths 60 --steps 3000 --seeds 0-2 \
        --device cuda --workers 3 --no-progress --out "$OUT/ses_full_cuda" $EXTRA ) &
  D=$!
else
  echo "no cuda: part (d) skipped" | tee -a "$OUT/timings.txt"
  D= E=
fi

wait $A $B $C $D $E
# tables and plots of whatever finished (a part stopped by its limit keeps its runs)
for part in ses_quick:ses rank_cells:rank ses_cells:ses ses_authors:ses ses_full_cuda:ses; do
  dir=${part%%:*}; task=${part##*:}
  [ -d "$OUT/$dir/runs" ] && $EXP "$task" --plot-only --out "$OUT/$dir" > "$OUT/$dir.table.log" 2>&1
done
echo "done $(date -u)" | tee -a "$OUT/timings.txt"
cat "$OUT/timings.txt"
for f in "$OUT"/*/*_table.md; do echo "== $f"; cat "$f"; done
