"""The CSV files a run writes, in the formats `joule fit --per-layer` and `joule validate` read.

Each file opens with a provenance block of `# key: value` lines (GPU, driver, CUDA,
PyTorch, clocks, date, idle power, what each column means). Joule's CSV reader keeps such
a block when it comes before the header, and `joule fit` copies it into the model file as
`data_provenance`. Because comments are only read before the header, a file is written
whole when its phase ends (idle power after the phase is known only then); meanwhile every
row is appended to `FILE.partial`, so an interrupted run keeps its measurements.

Per-layer files (`layers_<dtype>.csv`) hold `sweep_index`, the configuration columns of
`sweep.CONFIG_COLUMNS`, then `runtime_seconds` (median forward time), `power_watts`
(average board power over the energy loop, idle included), `energy_joules` (per forward
run), the loop's `iterations` and `loop_seconds`, and the clocks and temperature after it.

Per-network files (`networks_<dtype>.csv`) hold `spec` (the Paleo JSON that was measured,
relative to the CSV, batch included), `name`, `kind`, `cell` and `cifar10_test_acc` (NB201
only), `batch`, `inference_seconds`, `inference_power_watts`, `inference_energy_joules`
(one batch), `energy_per_sample_joules`, `training_step_seconds`, and the clocks.
"""

import csv
import datetime
import io
import os
import platform
import sys

from . import sweep

LAYER_COLUMNS = (["sweep_index"] + sweep.CONFIG_COLUMNS
                 + ["dtype", "runtime_seconds", "power_watts", "energy_joules", "iterations", "loop_seconds",
                    "sm_clock_mhz", "memory_clock_mhz", "temperature_c"])

NETWORK_COLUMNS = ["spec", "name", "kind", "cell", "cifar10_test_acc", "batch", "dtype",
                   "inference_seconds", "inference_power_watts", "inference_energy_joules",
                   "energy_per_sample_joules", "iterations", "training_step_seconds",
                   "sm_clock_mhz", "memory_clock_mhz", "temperature_c"]

#: Joule GPU profile ids by words in NVML's device name, most specific first.
JOULE_GPU_IDS = [("H100 PCIe", "H100_PCIE"), ("H100", "H100_SXM"), ("H200", "H200"), ("A100-SXM4-80GB", "A100_80GB"),
                 ("A100", "A100_40GB"), ("L40S", "L40S"), ("L4", "L4"), ("A10", "A10"), ("T4", "T4")]


def joule_gpu_id(nvml_name):
    """The Joule profile id for an NVML device name, or `None` when unknown."""
    for words, identifier in JOULE_GPU_IDS:
        if words in nvml_name:
            return identifier
    return None


def base_provenance(argv):
    """Facts every file carries, besides the device's: date, host, command."""
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "host": platform.node(),
        "command": " ".join([os.path.basename(sys.executable)] + list(argv)),
        "timing": "CUDA events, median of 5-50 runs after 3 warm-up runs",
        "energy": "NVML total-energy counter over a loop of at least 1 s, divided by iterations; "
                  "power_watts is board power including idle",
    }


class TableWriter:
    """Rows of one CSV, appended to `path.partial` as measured, written whole by `finish`."""

    def __init__(self, path, columns):
        self.path, self.columns, self.rows = path, columns, []
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        self.partial = open(path + ".partial", "w", newline="", encoding="utf-8")
        self._partial_writer = csv.DictWriter(self.partial, columns, extrasaction="ignore")
        self._partial_writer.writeheader()

    def add(self, row):
        self.rows.append(row)
        self._partial_writer.writerow(_formatted(row))
        self.partial.flush()

    def finish(self, provenance):
        """Writes the file (provenance block, header, rows) and removes the partial file.

        - Returns: the path, or `None` when no row was measured (no file is written: Joule
          refuses a table without rows).
        """
        self.partial.close()
        os.remove(self.path + ".partial")
        if not self.rows:
            return None
        text = io.StringIO()
        for key, value in provenance.items():
            text.write(f"# {key}: {' '.join(str(value).split())}\n")
        writer = csv.DictWriter(text, self.columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in self.rows:
            writer.writerow(_formatted(row))
        temporary = self.path + ".tmp"
        with open(temporary, "w", newline="", encoding="utf-8") as handle:
            handle.write(text.getvalue())
        os.replace(temporary, self.path)
        return self.path


def _formatted(row):
    """Numbers with enough digits to round-trip, `None` as an empty cell."""
    return {k: ("" if v is None else repr(v) if isinstance(v, float) else v) for k, v in row.items()}
