#!/usr/bin/env bash
# Run Joule's concurrent code under ThreadSanitizer; fail on any data race it reports.
#
#   tools/tsan-check.sh
#
# Builds joule and the bundled plugins with --sanitize=thread into .build-tsan, then runs
# small commands that take every concurrent path:
#
#   1. joule search --algorithm nao with a command: evaluator and --jobs 4: trials run in
#      parallel (CommandEvaluator, DispatchQueue.concurrentPerform), the cost labeler is
#      shared, and the NAO controller trains with Autodiff.concurrentPerform (the LSTM
#      encoder's two halves, Adam's per-parameter updates, GEMM's row blocks).
#   2. joule search --algorithm random, the same evaluator: batches of parallel trials.
#   3. joule fit --per-layer: Lasso cross-validation, one fold per thread.
#   4. joule fit --per-network on NAS-Bench-201 latencies (../shared/data, else synthetic
#      rows): cross-validation again, and enough rows per fold that CrossProducts splits
#      the Gram matrix over the cores.
#
# Each run is small (seconds to a minute or two under TSan on 2 cores). The script stops at
# the first command whose output holds "WARNING: ThreadSanitizer" or that fails, prints
# that output, and exits 1; it exits 0 when every run is clean. JOBS (default 1) sets the
# build's -j. Work files go to a temporary folder, removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

started=$(date +%s)
echo "tsan: building joule and the plugins with --sanitize=thread (.build-tsan)"
# --export-dynamic: the plugins are built instrumented too, and dlopen must find the TSan
# runtime's entry points (__tsan_*) in the executable, where the runtime is linked.
swift build --scratch-path .build-tsan -j "${JOBS:-1}" --sanitize=thread -Xlinker --export-dynamic 2>&1 | tail -1
built=$(date +%s)
echo "tsan: build took $((built - started)) s"
joule="$root/.build-tsan/debug/joule"

work=$(mktemp -d "${TMPDIR:-/tmp}/joule-tsan.XXXXXX")
trap 'rm -rf "$work"' EXIT
# halt_on_error: the first race ends the process, so its report is the last thing printed.
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"

failures=0
run() {
    local name=$1
    shift
    local log="$work/$name.log"
    local t0 status=0
    t0=$(date +%s)
    "$@" >"$log" 2>&1 || status=$?
    if grep -q "WARNING: ThreadSanitizer" "$log"; then
        echo "tsan: $name: RACE (exit status $status):" >&2
        cat "$log" >&2
        failures=1
    elif [ "$status" -ne 0 ]; then
        echo "tsan: $name: failed with exit status $status:" >&2
        tail -n 40 "$log" >&2
        failures=1
    else
        echo "tsan: $name: clean ($(( $(date +%s) - t0 )) s)"
    fi
}

cell='nb201:|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|'
# A stand-in training script: prints a number that depends on the candidate's spec.
trial='command:cksum {spec} | cut -c1-2'

run search-nao "$joule" search "$cell" --space nb201 --gpu GTX_1080_TI --cost-model neuralpower --batch 32 \
    --accuracy "$trial" --jobs 4 --budget 10 --initial 5 --algorithm nao --rounds 1 --epochs 3 \
    --cost-labels 60 --cost-per-epoch 30 --out "$work/nao" --quiet

run search-random "$joule" search "$cell" --space nb201 --gpu GTX_1080_TI --cost-model neuralpower --batch 32 \
    --accuracy "$trial" --jobs 4 --budget 12 --algorithm random --out "$work/random" --quiet

# Per-layer measurements: convolutions and activations with a smooth cost and 5 % noise,
# enough rows for 4 folds.
awk 'BEGIN {
    print "layer_type,batch,in_channels,out_channels,input_size,kernel_size,stride,channels,size,runtime_seconds,power_watts"
    s = 1
    for (b = 1; b <= 16; b *= 2) for (c = 16; c <= 64; c *= 2) for (z = 8; z <= 32; z *= 2) for (k = 1; k <= 3; k += 2) {
        s = (s * 1103515245 + 12345) % 2147483648; n = 0.95 + 0.1 * s / 2147483648
        printf "convolution,%d,%d,%d,%d,%d,1,,,%.6g,%.4g\n", b, c, c, z, k, (5e-6 + 2e-12 * k * k * c * c * z * z * b) * n, (100 + 10 * log(b)) * n
        printf "activation,%d,,,,,,%d,%d,%.6g,%.4g\n", b, c, z, (2e-6 + 1e-11 * b * c * z * z) * n, 90 * n
    }
}' >"$work/layers.csv"
run fit-per-layer "$joule" fit "$work/layers.csv" --per-layer --gpu H100 --degree 1 --folds 4 --out "$work/layers-model.json"

# Per-network: 900 cells, 720 to fit on, 2 folds of 360 rows; at degree 3 (119 candidate
# terms) a fold's Gram matrix is 360 · 119² ≈ 5·10⁶ multiply-adds, past CrossProducts'
# threshold for using every core.
latency="$root/../shared/data/nb201/latency_dev.csv"
if [ -f "$latency" ]; then
    head -n 901 "$latency" | cut -d, -f2,4 >"$work/networks.csv"
else
    # Without the shared data: the example accuracy table's cells, with a made-up latency.
    echo "arch_str,1080ti_32" >"$work/networks.csv"
    awk -F, 'NR > 1 && NR <= 901 { printf "%s,%.4f\n", $2, 5 + length($2) / 20 + $4 / 50 }' \
        Examples/nb201/nb201_cifar10.csv >>"$work/networks.csv"
fi
run fit-per-network "$joule" fit "$work/networks.csv" --per-network --spec-column arch_str --target-column 1080ti_32 \
    --target-unit ms --batch 32 --gpu GTX_1080_TI --degree 3 --folds 2 --out "$work/networks-model.json"

echo "tsan: runs took $(( $(date +%s) - built )) s; total $(( $(date +%s) - started )) s"
if [ $failures -ne 0 ]; then
    echo "tsan: FAILED" >&2
    exit 1
fi
echo "tsan: no data races reported"
