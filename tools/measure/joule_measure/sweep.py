"""The per-layer sweep: seeded configurations spanning each layer type's space.

Each configuration is a dict keyed by the column names `joule fit --per-layer` reads
(`layer_type`, `batch`, `in_channels`, ...), so a row is written as it is and read back by
the same names. Per type, a Latin hypercube over log-scaled ranges places one sample in
every stratum of every dimension: with 90 convolutions, each of the 90 batch strata (and
each of the 90 channel strata, ...) holds exactly one, so the sweep spans the space
instead of clustering. Categorical dimensions (kernel, stride, pooling function, inputs)
take the stratum's share of a weighted list.

Two limits keep every configuration measurable in a short run: a tensor holds at most
`MAX_ELEMENTS` elements and a layer does at most `MAX_FLOPS` FLOPs; a sample over either
has its batch halved until it fits, then its channels
(deterministically, so the sweep stays seeded).
"""

import math
import random

#: The CSV columns of a per-layer row, in file order; `joule fit --per-layer` reads them by name.
CONFIG_COLUMNS = [
    "layer_type", "batch", "in_channels", "out_channels", "input_size", "kernel_size", "stride",
    "padding", "pool", "in_features", "out_features", "channels", "size", "inputs",
]

#: Layer types, as `joule fit` names them, with how many configurations each gets (300 in all).
TYPE_COUNTS = {
    "convolution": 90,
    "fully_connected": 40,
    "pooling": 35,
    "batch_norm": 35,
    "activation": 35,
    "elementwise": 35,
    "concat": 30,
}

#: Largest tensor in a configuration, in elements (2^26: 256 MiB in fp32).
MAX_ELEMENTS = 1 << 26
#: Most work in one configuration, in FLOPs (about 4 ms on an H100 in fp32).
MAX_FLOPS = 2e11


def _log_int(u, low, high):
    """The integer at fraction `u` of the log-scaled range [low, high]."""
    return max(low, min(high, int(round(low * (high / low) ** u))))


def _choice(u, options):
    """The option whose share of [0, 1) holds `u`; repeats in `options` weight it."""
    return options[min(len(options) - 1, int(u * len(options)))]


def latin_hypercube(rng, count, dimensions):
    """`count` points in [0, 1)^dimensions, one per stratum of every dimension."""
    columns = []
    for _ in range(dimensions):
        strata = list(range(count))
        rng.shuffle(strata)
        columns.append([(s + rng.random()) / count for s in strata])
    return [[columns[d][i] for d in range(dimensions)] for i in range(count)]


def output_size(size, kernel, stride, padding):
    """Output height of a window over `size` pixels with `padding` pixels per side."""
    return (size + 2 * padding - kernel) // stride + 1


def flops(config):
    """Multiply-adds counted as two FLOPs (convolution, fully connected), else one per output element."""
    kind, batch = config["layer_type"], config["batch"]
    if kind == "convolution":
        out = output_size(config["input_size"], config["kernel_size"], config["stride"], config["padding"])
        return 2 * batch * out * out * config["out_channels"] * config["in_channels"] * config["kernel_size"] ** 2
    if kind == "fully_connected":
        return 2 * batch * config["in_features"] * config["out_features"]
    return max(tensor_elements(config))


def tensor_elements(config):
    """Elements of each input and of the output, per run."""
    kind, batch = config["layer_type"], config["batch"]
    if kind == "convolution":
        out = output_size(config["input_size"], config["kernel_size"], config["stride"], config["padding"])
        return [batch * config["in_channels"] * config["input_size"] ** 2, batch * config["out_channels"] * out * out]
    if kind == "fully_connected":
        return [batch * config["in_features"], batch * config["out_features"]]
    if kind == "pooling":
        out = output_size(config["input_size"], config["kernel_size"], config["stride"], 0)
        return [batch * config["channels"] * config["input_size"] ** 2, batch * config["channels"] * out * out]
    elements = batch * config["channels"] * config["size"] ** 2
    if kind == "elementwise":
        return [elements] * (config["inputs"] + 1)
    if kind == "concat":
        return [elements // config["inputs"]] * config["inputs"] + [elements]
    return [elements, elements]


def is_valid(config):
    """Whether every size is positive, windows fit their input and the limits hold."""
    kind = config["layer_type"]
    if any(isinstance(config.get(k), int) and config[k] < 1 for k in CONFIG_COLUMNS if k != "padding"):
        return False
    if kind == "convolution" and config["kernel_size"] > config["input_size"]:
        return False
    if kind == "pooling" and (config["kernel_size"] > config["input_size"]
                              or output_size(config["input_size"], config["kernel_size"], config["stride"], 0) < 1):
        return False
    if kind == "concat" and config["channels"] % config["inputs"] != 0:
        return False
    return max(tensor_elements(config)) <= MAX_ELEMENTS and flops(config) <= MAX_FLOPS


def _fit_limits(config):
    """Halves the batch, then the input channels, until the configuration is within the limits."""
    def over():
        return max(tensor_elements(config)) > MAX_ELEMENTS or flops(config) > MAX_FLOPS
    while config["batch"] > 1 and over():
        config["batch"] //= 2
    # At batch 1 only large kernels or large images can be over; they keep their sizes.
    while over() and config["layer_type"] == "convolution" and config["in_channels"] > 3:
        config["in_channels"] //= 2
    while over() and config["layer_type"] == "convolution" and config["out_channels"] > 8:
        config["out_channels"] //= 2
    while over() and "channels" in config and config["channels"] > 8:
        inputs = config.get("inputs", 1) if config["layer_type"] == "concat" else 1
        config["channels"] = config["channels"] // inputs // 2 * inputs
    return config


def _make(kind, u):
    """One configuration of `kind` from a point `u` of the unit hypercube."""
    if kind == "convolution":
        size = _log_int(u[3], 7, 224)
        kernel = _choice(u[4], [1, 3, 3, 3, 5, 7, 11])
        while kernel > size:
            kernel -= 2
        # Padding kernel // 2 per side gives SAME's output size for odd kernels, and PyTorch
        # pads symmetrically, so Joule and PyTorch build the same layer.
        return {"layer_type": kind, "batch": _log_int(u[0], 1, 256), "in_channels": _log_int(u[1], 3, 2048),
                "out_channels": _log_int(u[2], 8, 4096), "input_size": size, "kernel_size": kernel,
                "stride": _choice(u[5], [1, 1, 1, 2, 2, 4]), "padding": kernel // 2}
    if kind == "fully_connected":
        return {"layer_type": kind, "batch": _log_int(u[0], 1, 1024), "in_features": _log_int(u[1], 64, 25088),
                "out_features": _log_int(u[2], 10, 4096)}
    if kind == "pooling":
        size = _log_int(u[2], 7, 224)
        # "global": a window over the whole image, as networks end (NB201's head, NIN).
        kernel = _choice(u[3], [2, 3, 3, "global"])
        return {"layer_type": kind, "batch": _log_int(u[0], 1, 256), "channels": _log_int(u[1], 8, 1024),
                "input_size": size, "kernel_size": size if kernel == "global" else kernel,
                "stride": 1 if kernel == "global" else _choice(u[4], [1, 2, 2]),
                "padding": "valid", "pool": _choice(u[5], ["max", "max", "avg"])}
    config = {"layer_type": kind, "batch": _log_int(u[0], 1, 256), "size": _log_int(u[2], 7, 224)}
    if kind in ("elementwise", "concat"):
        # One input is NB201's node with a single edge: eager PyTorch still runs `0 + x`.
        inputs = _choice(u[3], [1, 2, 2, 3, 4] if kind == "elementwise" else [2, 2, 3, 4])
        per_input = _log_int(u[1], 8, 1024 if kind == "elementwise" else 512)
        config["inputs"] = inputs
        config["channels"] = per_input * inputs if kind == "concat" else per_input
    else:
        config["channels"] = _log_int(u[1], 8, 1024)
    return config


def layer_sweep(seed=1, counts=None):
    """The sweep: `counts[type]` configurations per type (default `TYPE_COUNTS`), seeded.

    The order interleaves the types (round robin), so that any prefix of the list covers
    every type: a run that stops early, or a budget that keeps a prefix, still has them all.
    Each row carries `sweep_index`, its position, so files can be matched across runs.
    """
    counts = counts or TYPE_COUNTS
    per_type = {}
    for kind, count in counts.items():
        rng = random.Random(f"{seed}:{kind}")
        per_type[kind] = [_fit_limits(_make(kind, u)) for u in latin_hypercube(rng, count, 6)]
    ordered = []
    for position in range(max(counts.values())):
        for kind in counts:
            if position < len(per_type[kind]):
                ordered.append(per_type[kind][position])
    for index, config in enumerate(ordered):
        config["sweep_index"] = index
    return ordered


def trim(configs, keep):
    """The first `keep` configurations of each type's own order, in the sweep's order.

    Keeping a per-type prefix proportional to the type's share keeps every type (at least
    `min(count, 8)` rows each, enough for `joule fit`'s cross-validation to see the type),
    returns at most `keep` rows unless those minimums alone exceed it, and is deterministic.
    """
    by_type = {}
    for config in configs:
        by_type.setdefault(config["layer_type"], []).append(config)
    total = len(configs)
    if keep >= total:
        return list(configs)
    floor = {kind: min(len(rows), 8) for kind, rows in by_type.items()}
    quota = {kind: max(floor[kind], int(math.floor(keep * len(rows) / total))) for kind, rows in by_type.items()}
    # The minimums can push the sum over `keep`: take the excess from the largest quotas.
    while sum(quota.values()) > keep and any(quota[k] > floor[k] for k in quota):
        largest = max((k for k in quota if quota[k] > floor[k]), key=lambda k: (quota[k], k))
        quota[largest] -= 1
    kept = {id(c) for kind, rows in by_type.items() for c in rows[:quota[kind]]}
    return [c for c in configs if id(c) in kept]
