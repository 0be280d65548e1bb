#!/usr/bin/env python3
"""Measure per-layer and whole-network runtime, power and energy on an NVIDIA GPU for Joule.

    python3 tools/measure/measure.py --out data/measured/h100 --budget-seconds 540
    python3 tools/measure/measure.py --dry-run --budget-seconds 540     # the plan, no GPU needed
    python3 tools/measure/measure.py --synthetic --out /tmp/synthetic  # files from a known model

Writes `layers_<dtype>.csv` (for `joule fit --per-layer`), `networks_<dtype>.csv` (for
`joule validate`) and `specs/` (the Paleo JSON of every measured network) under --out.
See tools/measure/README.md.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from joule_measure import networks as network_catalog  # noqa: E402
from joule_measure import output, paleo, plan, sweep, synthetic  # noqa: E402

DTYPES = ("fp32", "bf16")


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", help="folder for the CSVs and specs (required unless --dry-run)")
    parser.add_argument("--joule", help="the joule executable (default: $JOULE, .build/release/joule, "
                                        ".build/debug/joule, then joule on PATH)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the sweep and the NB201 choice (default 1)")
    parser.add_argument("--dtype", default="fp32,bf16",
                        help="comma-separated dtypes in order of priority: fp32, bf16 (default fp32,bf16; "
                             "later ones only if the budget allows)")
    parser.add_argument("--budget-seconds", type=float, help="trim the sweep and drop dtypes to fit this estimate, "
                                                             "and stop starting new measurements when it is spent")
    parser.add_argument("--nb201-count", type=int, default=network_catalog.NB201_COUNT,
                        help="NB201 cells measured whole (default 50)")
    parser.add_argument("--dry-run", action="store_true", help="print the plan and its expected duration, measure nothing")
    parser.add_argument("--synthetic", action="store_true",
                        help="write the files from a known cost model with seeded noise instead of measuring")
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--layers-only", action="store_true", help="measure the layer sweep only")
    only.add_argument("--networks-only", action="store_true", help="measure the networks only")
    arguments = parser.parse_args(argv)
    arguments.dtypes = [d.strip() for d in arguments.dtype.split(",") if d.strip()]
    unknown = [d for d in arguments.dtypes if d not in DTYPES]
    if unknown or not arguments.dtypes:
        parser.error(f"--dtype takes fp32 and/or bf16, got {arguments.dtype}")
    if not arguments.dry_run and not arguments.out:
        parser.error("--out is required (unless --dry-run)")
    if arguments.budget_seconds is not None and arguments.budget_seconds <= 0:
        parser.error("--budget-seconds must be positive")
    if not 0 <= arguments.nb201_count <= 1000:
        parser.error("--nb201-count must be from 0 to 1000")
    return arguments


def make_plan(arguments):
    layers = [] if arguments.networks_only else sweep.layer_sweep(arguments.seed)
    nets = [] if arguments.layers_only else network_catalog.network_list(arguments.nb201_count, arguments.seed)
    return plan.Plan(layers, nets, arguments.dtypes, arguments.budget_seconds)


def convert_networks(arguments, work):
    """Paleo JSON for every planned network under out/specs; sets each network's `spec`."""
    joule = network_catalog.find_joule(arguments.joule)
    if joule is None:
        sys.exit("measure.py: no joule executable: build it (swift build) or give --joule PATH")
    folder = os.path.join(arguments.out, "specs")
    for network in work.networks:
        path = network_catalog.convert(joule, network, folder)
        network["spec"] = os.path.relpath(path, arguments.out)
    return joule


def network_row(network, dtype, measured):
    row = {"spec": network["spec"], "name": network["name"], "kind": network["kind"], "cell": network.get("cell"),
           "cifar10_test_acc": network.get("cifar10_test_acc"), "batch": network["batch"], "dtype": dtype}
    row.update(measured)
    return row


def write_synthetic(arguments, work, provenance):
    """The files of a run, from `synthetic`'s known model instead of a GPU."""
    rng = synthetic.generator(arguments.seed)
    provenance = dict(provenance, synthetic="true: runtimes and powers from joule_measure/synthetic.py, not measured",
                      joule_gpu="H100_SXM")
    written = []
    for dtype in work.dtypes:
        if work.networks:
            table = output.TableWriter(os.path.join(arguments.out, f"networks_{dtype}.csv"), output.NETWORK_COLUMNS)
            for network in work.networks:
                spec = paleo.load(os.path.join(arguments.out, network["spec"]))
                table.add(network_row(network, dtype, synthetic.network_measurement(spec, network["batch"], rng)))
            written.append(table.finish(dict(provenance, dtype=dtype)))
        if work.layers:
            table = output.TableWriter(os.path.join(arguments.out, f"layers_{dtype}.csv"), output.LAYER_COLUMNS)
            for config in work.layers:
                table.add(dict(config, dtype=dtype, **synthetic.layer_measurement(config, rng)))
            written.append(table.finish(dict(provenance, dtype=dtype)))
    return written


def measure(arguments, work, provenance):
    """The GPU run: per dtype, the networks then the layers; returns the files written."""
    from joule_measure import gpu, torch_module
    device = gpu.Device()
    facts = device.provenance()
    provenance = dict(provenance, **facts, joule_gpu=output.joule_gpu_id(facts["gpu_name"]) or "unknown")
    start = time.monotonic()

    def time_left(item_seconds):
        if arguments.budget_seconds is None:
            return True
        return time.monotonic() - start + item_seconds <= arguments.budget_seconds

    def release():
        device.torch.cuda.synchronize()
        device.torch.cuda.empty_cache()

    written = []
    for dtype in work.dtypes:
        phases = [("networks", work.networks), ("layers", work.layers)]
        for phase, items in phases:
            if not items:
                continue
            columns = output.NETWORK_COLUMNS if phase == "networks" else output.LAYER_COLUMNS
            table = output.TableWriter(os.path.join(arguments.out, f"{phase}_{dtype}.csv"), columns)
            idle_before = device.idle_watts()
            skipped = []
            for index, item in enumerate(items):
                cost = plan.network_seconds(item) if phase == "networks" else plan.layer_seconds(item)
                if not time_left(cost + plan.IDLE_SECONDS):
                    skipped.append(f"{len(items) - index} not started (budget spent)")
                    break
                label = item["name"] if phase == "networks" else f"{item['layer_type']} #{item['sweep_index']}"
                try:
                    if phase == "networks":
                        module, shape = torch_module.spec_to_module(paleo.load(os.path.join(arguments.out, item["spec"])))
                        measured = gpu.measure_inference(device, module, [shape], dtype)
                        measured["inference_seconds"] = measured.pop("runtime_seconds")
                        measured["inference_power_watts"] = measured.pop("power_watts")
                        measured["inference_energy_joules"] = measured.pop("energy_joules")
                        measured["energy_per_sample_joules"] = measured["inference_energy_joules"] / item["batch"]
                        measured["training_step_seconds"] = gpu.measure_training(device, module, shape, dtype)
                        table.add(network_row(item, dtype, measured))
                    else:
                        module, shapes = torch_module.row_module(item)
                        table.add(dict(item, dtype=dtype, **gpu.measure_inference(device, module, shapes, dtype)))
                except device.torch.cuda.OutOfMemoryError:
                    skipped.append(f"{label} (out of memory)")
                except (RuntimeError, ValueError) as error:
                    # One failing layer (a cuDNN refusal, a spec the builder declines) must not
                    # cost the rest of a one-shot run; it is named in the file's provenance.
                    skipped.append(f"{label} ({type(error).__name__}: {str(error).splitlines()[0][:120]})")
                    print(f"{label}: {error}", file=sys.stderr)
                finally:
                    module = None
                    release()
                print(f"[{time.monotonic() - start:6.0f} s] {dtype} {phase} {index + 1}/{len(items)} {label}",
                      file=sys.stderr, flush=True)
            idle_after = device.idle_watts()
            facts = dict(provenance, dtype=dtype, idle_watts_before=f"{idle_before:.1f}",
                         idle_watts_after=f"{idle_after:.1f}", skipped="; ".join(skipped) or "none")
            path = table.finish(facts)
            if path:
                written.append(path)
    return written, provenance["joule_gpu"]


def main(argv=None):
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    work = make_plan(arguments)
    if arguments.dry_run:
        print(work.describe())
        return 0
    os.makedirs(arguments.out, exist_ok=True)
    joule = convert_networks(arguments, work) if work.networks else None
    provenance = output.base_provenance(sys.argv if argv is None else ["measure.py"] + list(argv))
    provenance["seed"] = arguments.seed
    if arguments.synthetic:
        written, gpu_id = write_synthetic(arguments, work, provenance), "H100_SXM"
    else:
        try:
            written, gpu_id = measure(arguments, work, provenance)
        except ImportError as error:
            sys.exit(f"measure.py: {error.name or error} is not installed: measuring needs PyTorch with CUDA")
        except RuntimeError as error:
            sys.exit(f"measure.py: {error}")
    for path in written:
        print(f"wrote {path}")
    joule = joule or "joule"
    for dtype in work.dtypes:
        layers = os.path.join(arguments.out, f"layers_{dtype}.csv")
        nets = os.path.join(arguments.out, f"networks_{dtype}.csv")
        model = os.path.join(arguments.out, f"model_{dtype}.json")
        if layers in written:
            print(f"next: {joule} fit {layers} --per-layer --gpu {gpu_id} --out {model}")
        if nets in written:
            print(f"next: {joule} validate {nets} --cost-model poly:{model} --gpu {gpu_id} "
                  "--target-column inference_energy_joules --target-unit J --on-unsupported zero")
    return 0


if __name__ == "__main__":
    sys.exit(main())
