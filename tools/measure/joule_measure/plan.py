"""What a run will measure, how long it should take, and trimming it to a budget.

The estimates are per item, from how the measurement works rather than from the device:
every energy reading is a loop of at least `ENERGY_LOOP_SECONDS` (NVML's energy counter
needs about a second to average over), plus warm-up, the timed repetitions and building
the module. They were chosen to be pessimistic for an H100; the run itself also stops
starting new items when its budget is spent, and writes what it has.
"""

import collections

from . import sweep

#: Length of each energy loop, seconds; the issue asks for at least 1 s.
ENERGY_LOOP_SECONDS = 1.0
#: Seconds per layer beyond the energy loop: warm-up and the timed repetitions.
LAYER_OVERHEAD_SECONDS = 0.15
#: Extra seconds for a convolution: cuDNN's algorithm search on first use.
CONVOLUTION_SEARCH_SECONDS = 0.2
#: Seconds to build and warm a network, and time its inference (energy loop not counted).
NETWORK_OVERHEAD_SECONDS = {"bundled": 2.5, "nb201": 0.8}
#: Seconds to time the training steps of a network (warm-up with backward included).
TRAINING_SECONDS = {"bundled": 2.5, "nb201": 1.0}
#: Idle power is sampled this long before and after each phase.
IDLE_SECONDS = 3.0
#: Importing torch, creating the CUDA context, NVML, converting the specs.
STARTUP_SECONDS = 25.0


def layer_seconds(config):
    """Expected seconds to measure one sweep row."""
    extra = CONVOLUTION_SEARCH_SECONDS if config["layer_type"] == "convolution" else 0.0
    return ENERGY_LOOP_SECONDS + LAYER_OVERHEAD_SECONDS + extra


def network_seconds(network, training=True):
    """Expected seconds to measure one network: inference with energy, and training steps."""
    seconds = NETWORK_OVERHEAD_SECONDS[network["kind"]] + ENERGY_LOOP_SECONDS
    return seconds + (TRAINING_SECONDS[network["kind"]] if training else 0.0)


def phase_seconds(layers, networks):
    """Expected seconds of one dtype's phases (layers, networks), idle samples included."""
    total = 0.0
    if layers:
        total += 2 * IDLE_SECONDS + sum(layer_seconds(c) for c in layers)
    if networks:
        total += 2 * IDLE_SECONDS + sum(network_seconds(n) for n in networks)
    return total


class Plan:
    """The work of a run: per dtype, the layers and networks to measure, in order.

    `dtypes[0]` is measured first and completely (networks, then layers); later dtypes
    are added only where the budget leaves room for their whole phases.
    """

    def __init__(self, layers, networks, dtypes, budget_seconds=None):
        self.all_layers = layers
        self.networks = networks
        self.requested_dtypes = list(dtypes)
        self.budget_seconds = budget_seconds
        self.layers = list(layers)
        self.dtypes = list(dtypes)
        self.dropped_dtypes = []
        if budget_seconds is not None:
            self._fit(budget_seconds)

    def _fit(self, budget):
        first, later = self.dtypes[0], self.dtypes[1:]
        room = budget - STARTUP_SECONDS - phase_seconds([], self.networks)
        if phase_seconds(self.layers, []) > room:
            # Largest per-type proportional prefix that fits (bisection over the row count).
            low, high = 0, len(self.all_layers)
            while low < high:
                middle = (low + high + 1) // 2
                if phase_seconds(sweep.trim(self.all_layers, middle), []) <= room:
                    low = middle
                else:
                    high = middle - 1
            self.layers = sweep.trim(self.all_layers, low)
        self.dtypes = [first]
        for dtype in later:
            if self.estimated_seconds() + phase_seconds(self.layers, self.networks) <= budget:
                self.dtypes.append(dtype)
            else:
                self.dropped_dtypes.append(dtype)

    def estimated_seconds(self):
        """Expected wall time of the whole run, seconds."""
        return STARTUP_SECONDS + len(self.dtypes) * phase_seconds(self.layers, self.networks)

    def describe(self):
        """The plan as text, for --dry-run."""
        lines = []
        counts = collections.Counter(c["layer_type"] for c in self.layers)
        full = collections.Counter(c["layer_type"] for c in self.all_layers)
        lines.append(f"layers: {len(self.layers)} of {len(self.all_layers)} sweep configurations")
        for kind in sweep.TYPE_COUNTS:
            lines.append(f"  {kind:16} {counts[kind]:4} (of {full[kind]})")
        kinds = collections.Counter(n["kind"] for n in self.networks)
        lines.append(f"networks: {len(self.networks)} ({kinds['bundled']} bundled at batch "
                     f"{self.networks[0]['batch'] if kinds['bundled'] else '-'}, {kinds['nb201']} NB201 cells), "
                     "inference with energy and a training step each")
        for network in self.networks:
            detail = f"  {network['name']:16} batch {network['batch']:4}"
            if network["kind"] == "nb201":
                detail += f"  test accuracy {network['cifar10_test_acc']:.2f} %  {network['cell']}"
            lines.append(detail)
        lines.append(f"dtypes: {', '.join(self.dtypes)}"
                     + (f" (dropped to fit the budget: {', '.join(self.dropped_dtypes)})" if self.dropped_dtypes else ""))
        per_phase = phase_seconds(self.layers, self.networks)
        lines.append(f"estimated duration: {self.estimated_seconds():.0f} s "
                     f"({STARTUP_SECONDS:.0f} s start-up + {len(self.dtypes)} x {per_phase:.0f} s per dtype)"
                     + (f"; budget {self.budget_seconds:.0f} s" if self.budget_seconds is not None else ""))
        return "\n".join(lines)
