"""The networks measured whole: the bundled Paleo networks and 50 NAS-Bench-201 cells.

The NB201 cells are chosen from `Examples/nb201/nb201_cifar10.csv` to spread over FLOPs
and accuracy. In NB201 every cell holds the same `C²·H·W` (channels double where the
image halves), so a network's FLOPs are a constant plus `9·n3 + n1` times one cell edge's,
where n3 and n1 count its 3×3 and 1×1 convolutions: that count orders the cells by FLOPs
exactly. Every FLOPs level is represented, the more populous levels by more cells, and each
level's cells are taken at spread accuracy quantiles (see `choose_nb201`).

Every network is measured from the Paleo JSON that `joule convert` writes, at a fixed
batch, and that file is what the per-network CSV's spec column names: Joule then reads the
very network that was measured.
"""

import csv
import os
import random
import shutil
import subprocess

#: Bundled networks measured whole. The alex_v2_{2,4,8}gpu variants are left out: they
#: split AlexNet's fully connected layers across GPUs for Paleo's model-parallel estimate,
#: and on one GPU they are AlexNet again.
BUNDLED = ["alex_v2", "alex_v2_1gpu", "inception_v3", "nin", "overfeat", "vgg16"]
#: Batch of the ImageNet networks (224 to 299 pixels).
BUNDLED_BATCH = 32
#: Batch of the NB201 networks (32×32 CIFAR-10 images).
NB201_BATCH = 128
#: How many NB201 cells are measured.
NB201_COUNT = 50


def repository_root():
    """The checkout holding this file (tools/measure/joule_measure/ is three levels down)."""
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def conv_count(cell):
    """`(n3, n1)`: the cell's 3×3 and 1×1 convolution edges."""
    return cell.count("nor_conv_3x3"), cell.count("nor_conv_1x1")


def flops_rank(cell):
    """A number ordering NB201 cells by FLOPs exactly (see the module's note)."""
    n3, n1 = conv_count(cell)
    return 9 * n3 + n1


def choose_nb201(table=None, count=NB201_COUNT, seed=1):
    """`count` rows of the NB201 table, as dicts with `arch_str` and accuracies, spread.

    Every FLOPs level (distinct `flops_rank`) gets one cell, and the rest of `count` goes
    to the levels in proportion to how many cells they hold (largest remainders). Within a
    level, its k cells are taken at accuracy quantiles `(j + u) / k`, `u` seeded, so each
    level contributes low- and high-accuracy cells.

    - Parameters: `table` is the CSV path (default: the bundled CIFAR-10 table).
    - Returns: the chosen rows, in FLOPs order; distinct, deterministic for a seed.
    """
    table = table or os.path.join(repository_root(), "Examples", "nb201", "nb201_cifar10.csv")
    with open(table, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    levels = {}
    for row in rows:
        levels.setdefault(flops_rank(row["arch_str"]), []).append(row)
    order = sorted(levels)
    if count < len(order):
        # Fewer cells than levels: evenly spaced levels, one cell each.
        order = [order[i * len(order) // count] for i in range(count)]
    slots = {level: 1 for level in order}
    spare = count - len(order)
    population = sum(len(levels[level]) for level in order)
    shares = {level: spare * len(levels[level]) / population for level in order}
    for level in order:
        slots[level] += int(shares[level])
    left = count - sum(slots.values())
    for level in sorted(order, key=lambda l: (-(shares[l] - int(shares[l])), l))[:left]:
        slots[level] += 1
    rng = random.Random(f"{seed}:nb201")
    chosen = []
    for level in order:
        members = sorted(levels[level], key=lambda r: (float(r["cifar10_test_acc"]), int(r["arch_index"])))
        k = min(slots[level], len(members))
        picks = sorted({int((j + rng.random()) / k * len(members)) for j in range(k)})
        chosen.extend(members[i] for i in picks)
    return chosen


def network_list(nb201_count=NB201_COUNT, seed=1):
    """Everything measured whole: dicts with `name`, `source` (what `joule convert` takes),
    `batch`, `kind` (`bundled` or `nb201`), and for NB201 the cell and its test accuracy."""
    root = repository_root()
    networks = [{"name": name, "kind": "bundled", "batch": BUNDLED_BATCH,
                 "source": os.path.join(root, "Examples", "nets", name + ".json")} for name in BUNDLED]
    for row in choose_nb201(count=nb201_count, seed=seed):
        networks.append({"name": f"nb201-{row['arch_index']}", "kind": "nb201", "batch": NB201_BATCH,
                         "source": "nb201:" + row["arch_str"], "cell": row["arch_str"],
                         "cifar10_test_acc": float(row["cifar10_test_acc"])})
    return networks


def convert(joule, network, folder):
    """Writes the network as Paleo JSON at its batch with `joule convert`; returns the path.

    - Throws: `RuntimeError` with joule's message when the conversion fails.
    """
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, network["name"] + ".json")
    command = [joule, "convert", network["source"], "--to", "paleo-json", "--batch", str(network["batch"]),
               "--out", path]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.strip()}")
    return path


def find_joule(explicit=None):
    """The joule executable: `explicit`, else `$JOULE`, else a build in the checkout, else
    `joule` on PATH; `None` when there is none."""
    if explicit:
        return explicit
    if os.environ.get("JOULE"):
        return os.environ["JOULE"]
    root = repository_root()
    for candidate in (".build/release/joule", ".build/debug/joule"):
        path = os.path.join(root, candidate)
        if os.access(path, os.X_OK):
            return path
    return shutil.which("joule")
