"""Timing with CUDA events and energy from NVML's total-energy counter.

Runtime is the median of repeated runs, each bracketed by CUDA events, after warm-up:
events time the GPU's work without the host's launch jitter, and the median ignores the
occasional preempted run.

Energy is read from `nvmlDeviceGetTotalEnergyConsumption` (millijoules since the driver
loaded) before and after a loop of at least `plan.ENERGY_LOOP_SECONDS`, and divided by
the iterations. The instantaneous power reading is a one-second average on recent GPUs,
so it cannot resolve a 50 µs layer; the counter integrates whatever ran. Power is that
energy over the loop's wall time: the whole board's average power while the layer runs,
idle included, which is what NeuralPower's power models predict. Idle power is sampled
the same way (the counter over a few idle seconds) before and after each phase, and
recorded beside every row, so idle can be subtracted later if wanted.

torch and NVML (nvidia-ml-py's pynvml, or `nvml`'s ctypes binding of the driver's
library where that package is missing) are loaded when a `Device` is made.
"""

import statistics
import time

from . import nvml as nvml_binding
from . import plan


class Device:
    """One CUDA device with its NVML handle."""

    def __init__(self, index=0):
        import torch
        if not torch.cuda.is_available():
            raise RuntimeError("no CUDA device: measuring needs an NVIDIA GPU (use --dry-run or --synthetic without one)")
        self.torch = torch
        self.nvml, self.nvml_source = nvml_binding.load()
        self.nvml.nvmlInit()
        self.handle = self.nvml.nvmlDeviceGetHandleByIndex(index)
        torch.cuda.set_device(index)
        torch.backends.cudnn.benchmark = True
        # fp32 means fp32: no TF32 tensor-core shortcut for matrix products or convolutions.
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False

    def _text(self, value):
        return value.decode() if isinstance(value, bytes) else str(value)

    def provenance(self):
        """Name, driver, CUDA, cuDNN, PyTorch and clock facts, as `key: value` pairs."""
        nvml, handle, torch = self.nvml, self.handle, self.torch
        facts = {
            "gpu_name": self._text(nvml.nvmlDeviceGetName(handle)),
            "driver": self._text(nvml.nvmlSystemGetDriverVersion()),
            "cuda": str(torch.version.cuda),
            "cudnn": str(torch.backends.cudnn.version()),
            "pytorch": torch.__version__,
            "max_sm_clock_mhz": str(nvml.nvmlDeviceGetMaxClockInfo(handle, nvml.NVML_CLOCK_SM)),
            "max_memory_clock_mhz": str(nvml.nvmlDeviceGetMaxClockInfo(handle, nvml.NVML_CLOCK_MEM)),
            "power_limit_watts": f"{nvml.nvmlDeviceGetPowerManagementLimit(handle) / 1000:.0f}",
            "nvml": self.nvml_source,
        }
        try:
            facts["application_sm_clock_mhz"] = str(nvml.nvmlDeviceGetApplicationsClock(handle, nvml.NVML_CLOCK_SM))
        except nvml.NVMLError:
            pass
        return facts

    def energy_joules(self):
        """The board's energy counter, joules."""
        return self.nvml.nvmlDeviceGetTotalEnergyConsumption(self.handle) / 1000.0

    def state(self):
        """Clocks and temperature now: `sm_clock_mhz`, `memory_clock_mhz`, `temperature_c`."""
        nvml, handle = self.nvml, self.handle
        return {"sm_clock_mhz": nvml.nvmlDeviceGetClockInfo(handle, nvml.NVML_CLOCK_SM),
                "memory_clock_mhz": nvml.nvmlDeviceGetClockInfo(handle, nvml.NVML_CLOCK_MEM),
                "temperature_c": nvml.nvmlDeviceGetTemperature(handle, nvml.NVML_TEMPERATURE_GPU)}

    def idle_watts(self, seconds=plan.IDLE_SECONDS):
        """Average board power over `seconds` with nothing running, watts."""
        self.torch.cuda.synchronize()
        start, before = time.perf_counter(), self.energy_joules()
        time.sleep(seconds)
        return (self.energy_joules() - before) / (time.perf_counter() - start)

    def median_seconds(self, run, warmup=3, repeats=None, target_seconds=0.1):
        """Median seconds of `run()` over timed repetitions, after `warmup` untimed ones.

        Without `repeats`, as many as fit `target_seconds` (5 to 50).
        """
        torch = self.torch
        for _ in range(warmup):
            run()
        torch.cuda.synchronize()
        if repeats is None:
            start = time.perf_counter()
            run()
            torch.cuda.synchronize()
            once = max(time.perf_counter() - start, 1e-6)
            repeats = max(5, min(50, int(target_seconds / once)))
        times = []
        for _ in range(repeats):
            begin, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            begin.record()
            run()
            end.record()
            end.synchronize()
            times.append(begin.elapsed_time(end) / 1000.0)
        return statistics.median(times)

    def energy(self, run, seconds_each, loop_seconds=plan.ENERGY_LOOP_SECONDS):
        """Joules per `run()` and average watts, over a loop of at least `loop_seconds`.

        - Returns: dict with `energy_joules` (per run), `power_watts`, `iterations`,
          `loop_seconds`. The loop repeats until the wall clock passes `loop_seconds`,
          synchronising every batch of iterations so the queue never runs far ahead.
        """
        torch = self.torch
        batch = max(1, int(0.05 / max(seconds_each, 1e-7)))
        torch.cuda.synchronize()
        start, before = time.perf_counter(), self.energy_joules()
        iterations = 0
        while time.perf_counter() - start < loop_seconds:
            for _ in range(batch):
                run()
            torch.cuda.synchronize()
            iterations += batch
        elapsed = time.perf_counter() - start
        joules = self.energy_joules() - before
        return {"energy_joules": joules / iterations, "power_watts": joules / elapsed,
                "iterations": iterations, "loop_seconds": elapsed}

    def dtype(self, name):
        return {"fp32": self.torch.float32, "bf16": self.torch.bfloat16}[name]


def measure_inference(device, module, input_shapes, dtype):
    """Forward time and energy of `module` on random inputs, in eval mode without autograd."""
    torch = device.torch
    module = module.to("cuda", dtype=device.dtype(dtype)).eval()
    inputs = [torch.randn(*shape, device="cuda", dtype=device.dtype(dtype)) for shape in input_shapes]
    with torch.inference_mode():
        def run():
            module(*inputs)
        seconds = device.median_seconds(run)
        result = device.energy(run, seconds)
    result["runtime_seconds"] = seconds
    result.update(device.state())
    return result


def measure_training(device, module, input_shape, dtype):
    """Median seconds of one training step: forward, a mean-square loss, backward, SGD update."""
    torch = device.torch
    module = module.to("cuda", dtype=device.dtype(dtype)).train()
    data = torch.randn(*input_shape, device="cuda", dtype=device.dtype(dtype))
    optimizer = torch.optim.SGD(module.parameters(), lr=1e-6)

    def step():
        optimizer.zero_grad(set_to_none=True)
        output = module(data)
        loss = output.float().square().mean()
        loss.backward()
        optimizer.step()
    return device.median_seconds(step, warmup=3, target_seconds=0.3)
