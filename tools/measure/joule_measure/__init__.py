"""Joule's GPU measurement harness: what to measure, how, and the CSVs `joule fit` reads.

Modules, in the order a run uses them:

- `sweep`: the seeded per-layer configurations (~300) and their CSV columns.
- `networks`: the bundled Paleo networks and 50 NAS-Bench-201 cells, and their conversion
  to Paleo JSON through `joule convert`.
- `paleo`: shapes of a Paleo JSON spec in pure Python (no PyTorch), and its layers as
  per-layer rows.
- `plan`: per-item cost estimates, the dry-run plan and budget trimming.
- `torch_module`: a PyTorch module from a Paleo spec or a sweep row (imports torch lazily).
- `gpu`: CUDA-event timing and NVML energy (imports torch and NVML lazily).
- `nvml`: nvidia-ml-py when installed, else a ctypes binding of the driver's libnvidia-ml.
- `output`: the CSV writers with their provenance block.
- `synthetic`: a known cost model that stands in for a GPU (`measure.py --synthetic`).
"""
