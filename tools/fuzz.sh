#!/usr/bin/env bash
# Fuzz Joule's readers of untrusted files with libFuzzer, under AddressSanitizer.
#
#   tools/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Targets (Fuzz/<TARGET>/): SpecReader (Paleo JSON specs, as `joule estimate` reads them,
# shape inference included), GPUProfile (drop-in GPU profile files), FFIManifest (libffi
# manifests), MeasurementTable (measurement CSVs and per-layer rows). Default: all four,
# 60 seconds each.
#
# The harnesses are package targets only when JOULE_FUZZ=1 (see the end of Package.swift),
# so they never touch the ordinary build. They build into .build-fuzz with
# --sanitize=fuzzer --sanitize=address. Each target starts from its seed corpus
# (Fuzz/corpus/<TARGET>, committed) and a working corpus that grows between runs
# (.build-fuzz/corpus/<TARGET>); crashes, time-outs, leaks and out-of-memory inputs land
# in .build-fuzz/findings/<TARGET>/ with libFuzzer's log beside them. A thrown error is
# the right answer to a bad file; anything in findings is a bug. To replay one:
#
#   .build-fuzz/debug/FuzzSpecReader .build-fuzz/findings/SpecReader/crash-…
#
# and add it under Tests/Fixtures/fuzz-regressions/<TARGET>/ once fixed (the FuzzRegression
# tests feed every file there to the reader).
#
# Exits 1 if any target left a finding, 0 otherwise. JOBS (default 1) sets the build's -j.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(SpecReader GPUProfile FFIManifest MeasurementTable)
scratch=.build-fuzz

for target in "${targets[@]}"; do
    [ -d "Fuzz/$target" ] || { echo "fuzz: no harness Fuzz/$target" >&2; exit 2; }
    echo "fuzz: building Fuzz$target"
    JOULE_FUZZ=1 swift build --scratch-path "$scratch" -j "${JOBS:-1}" --sanitize=fuzzer --sanitize=address \
        --product "Fuzz$target" 2>&1 | grep -v "Cannot export local symbol" || true
    [ -x "$scratch/debug/Fuzz$target" ] || { echo "fuzz: the build of Fuzz$target failed" >&2; exit 2; }
done

# Swift's own crash reporter reads the crashed process's memory in ways that ASan reports
# as a second error; libFuzzer's report (with the stack) is the one wanted.
export SWIFT_BACKTRACE=enable=no

found=0
for target in "${targets[@]}"; do
    corpus="$scratch/corpus/$target"
    findings="$scratch/findings/$target"
    mkdir -p "$corpus" "$findings"
    log="$findings/fuzz-$(date +%Y%m%d-%H%M%S).log"
    echo "fuzz: $target for $seconds s (log: $log)"
    # -timeout: one input taking 10 s is a hang. -rss_limit_mb: 2 GiB is an out-of-memory
    # bug for files of at most -max_len bytes. ASan's leak check runs after each input.
    # libFuzzer exits non-zero at the first finding; the loop goes on to the next target.
    "$scratch/debug/Fuzz$target" "$corpus" "Fuzz/corpus/$target" \
        -dict="Fuzz/dictionaries/$target.dict" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
        -artifact_prefix="$findings/" -print_final_stats=1 >"$log" 2>&1 || true
    grep -E "^(#[0-9]+ +DONE|Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb)" "$log" | sed "s/^/fuzz: $target: /" || true
    grep -E "cov: [0-9]+" "$log" | tail -1 | sed "s/^/fuzz: $target: last: /" || true
    if ls "$findings" | grep -qE '^(crash|timeout|leak|oom|slow-unit)-'; then
        echo "fuzz: $target: FINDINGS in $findings:" >&2
        ls "$findings" | grep -E '^(crash|timeout|leak|oom|slow-unit)-' | sed 's/^/  /' >&2
        grep -m1 -E "ERROR: |Fatal error|SUMMARY" "$log" >&2 || true
        found=1
    fi
done
exit $found
