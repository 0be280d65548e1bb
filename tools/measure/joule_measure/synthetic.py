"""A known cost model standing in for a GPU, to check the harness's files end to end.

`measure.py --synthetic` writes the same CSVs a GPU run writes, with runtimes and powers
drawn from the formulas below times seeded log-normal noise. `joule fit` on the layer file
should recover the formulas (they lie in the span of its features: FLOPs, bytes, and log2
of the configuration), and `joule validate` with the fitted model should then predict the
network file, whose values are the same formulas summed over each network's layers. A fit
that learned the wrong thing fails that check, so the round trip tests the file formats,
the column meanings and the layer-to-row mapping together.

Runtime, seconds (an H100-like device: 40 TFLOP/s, 2.5 TB/s, a few microseconds of launch):

- convolution: 4 µs + FLOPs / 40e12
- fully_connected: 3 µs + FLOPs / 30e12
- others: 2 µs + bytes moved / 2.5e12, bytes = 4 · (elements of every input and the output)

Power, watts: 90 (convolution), 80 (fully connected), 70 (others) + 15 · log2(batch) +
6 · log2(channels), with channels the output channels or features.

A network's inference time is the sum over its layers, its energy the sum of time × power;
the training step is written as 3 × inference (Joule's polynomial models are forward-only,
so it is not checked against them).
"""

import math
import random

from . import paleo, sweep

BASE_SECONDS = {"convolution": 4e-6, "fully_connected": 3e-6}
FLOPS_PER_SECOND = {"convolution": 40e12, "fully_connected": 30e12}
BYTES_PER_SECOND = 2.5e12
BASE_WATTS = {"convolution": 90.0, "fully_connected": 80.0}


def runtime_seconds(row):
    """The noiseless runtime of a per-layer row."""
    kind = row["layer_type"]
    if kind in FLOPS_PER_SECOND:
        return BASE_SECONDS[kind] + sweep.flops(row) / FLOPS_PER_SECOND[kind]
    return 2e-6 + 4 * sum(sweep.tensor_elements(row)) / BYTES_PER_SECOND


def power_watts(row):
    """The noiseless power of a per-layer row."""
    kind = row["layer_type"]
    channels = row.get("out_channels") or row.get("out_features") or row.get("channels")
    return BASE_WATTS.get(kind, 70.0) + 15 * math.log2(row["batch"]) + 6 * math.log2(channels)


def _noise(rng, sigma):
    return math.exp(rng.gauss(0.0, sigma))


def layer_measurement(row, rng, sigma=0.03):
    """Measurement columns for a sweep row, with log-normal noise of `sigma`."""
    seconds = runtime_seconds(row) * _noise(rng, sigma)
    watts = power_watts(row) * _noise(rng, sigma)
    return {"runtime_seconds": seconds, "power_watts": watts, "energy_joules": seconds * watts,
            "iterations": max(1, int(1.0 / seconds)), "loop_seconds": 1.0}


def network_measurement(spec, batch, rng, sigma=0.02):
    """Measurement columns for a network spec (parsed Paleo JSON) at `batch`."""
    rows = paleo.layer_rows(spec)
    seconds = sum(runtime_seconds(r) for r in rows)
    joules = sum(runtime_seconds(r) * power_watts(r) for r in rows)
    seconds *= _noise(rng, sigma)
    joules *= _noise(rng, sigma)
    return {"inference_seconds": seconds, "inference_power_watts": joules / seconds,
            "inference_energy_joules": joules, "energy_per_sample_joules": joules / batch,
            "iterations": max(1, int(1.0 / seconds)), "training_step_seconds": 3 * seconds}


def generator(seed):
    """The noise source of a synthetic run, seeded."""
    return random.Random(f"{seed}:synthetic")
