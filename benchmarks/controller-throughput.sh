#!/usr/bin/env bash
# Controller training throughput (issue 5): Joule's NAO controller (`joule controller-bench`)
# against the same controller in PyTorch on the CPU (benchmarks/nao_controller_torch.py),
# trained back to back on the same 500 NB201 cells. Outside CI; the target is swift/pytorch ≥ 1.
#
# Setup, once: PyTorch in a virtual environment here (benchmarks/.venv is git-ignored).
# PyPI's default wheel is fine (it carries CUDA libraries this benchmark does not use); where
# https://download.pytorch.org is reachable, `--index-url https://download.pytorch.org/whl/cpu`
# fetches a smaller CPU-only one.
#
#   python3 -m venv benchmarks/.venv
#   benchmarks/.venv/bin/pip install torch
#
# Usage:
#
#   benchmarks/controller-throughput.sh [EPOCHS]        # default 1000
#
# Environment: PYTHON (default benchmarks/.venv/bin/python), SCRATCH (SwiftPM scratch path,
# default .build), THREADS (PyTorch threads, default 2).
#
# Run it on a quiet machine (see the `uptime` lines it prints). PyTorch's OpenMP threads
# spin while they wait for each other, so a busy machine slows it by up to a hundredfold,
# and Swift far less: numbers taken under load say nothing about either.
#
# PyTorch runs twice: unrolling nn.LSTMCell step by step as the Swift controller's
# definition reads (`cell`), and with nn.LSTM over whole sequences (`sequence`), the faster
# way to write the same teacher-forced model. The ratio is reported against both.
set -euo pipefail
cd "$(dirname "$0")/.."

EPOCHS=${1:-1000}
PYTHON=${PYTHON:-benchmarks/.venv/bin/python}
SCRATCH=${SCRATCH:-.build}
THREADS=${THREADS:-2}

if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
    echo "controller-throughput: no PyTorch for $PYTHON; see the setup at the top of $0" >&2
    exit 1
fi

swift build -c release --product joule --scratch-path "$SCRATCH"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "load before: $(uptime)"
"$SCRATCH/release/joule" controller-bench --epochs "$EPOCHS" --export "$work/samples.json" --format json > "$work/swift.json"
for recurrence in cell sequence; do
    "$PYTHON" -W ignore benchmarks/nao_controller_torch.py "$work/samples.json" --epochs "$EPOCHS" \
        --threads "$THREADS" --recurrence "$recurrence" --format json > "$work/torch-$recurrence.json"
done
echo "load after:  $(uptime)"

"$PYTHON" - "$work" <<'PYTHON'
import json, os, sys
work = sys.argv[1]
def load(name):
    with open(os.path.join(work, name)) as file:
        return json.load(file)
swift = load("swift.json")
print(f"epochs {swift['epochs']}, {swift['architectures']} architectures, {swift['cores']} cores")
print(f"swift ({swift['build']}):   {swift['samples_per_second']:9.0f} samples/s  ({swift['training_seconds']:.1f} s)")
for recurrence in ("cell", "sequence"):
    torch = load(f"torch-{recurrence}.json")
    print(f"pytorch {torch['torch']} {recurrence:8s} {torch['threads']} threads: {torch['samples_per_second']:9.0f} samples/s"
          f"  ({torch['training_seconds']:.1f} s)  swift/pytorch = {swift['samples_per_second'] / torch['samples_per_second']:.2f}")
PYTHON
