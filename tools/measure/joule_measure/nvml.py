"""The few NVML calls the harness makes, from nvidia-ml-py or, without it, libnvidia-ml.

`load()` returns the `pynvml` module when the nvidia-ml-py package is installed, else this
module's ctypes binding of the same names over the driver's `libnvidia-ml.so.1` (which
every machine with an NVIDIA driver has): a GPU machine without network access can then
still read the energy counter. Only what `gpu.Device` uses is bound.
"""

import ctypes

NVML_CLOCK_SM = 1
NVML_CLOCK_MEM = 2
NVML_TEMPERATURE_GPU = 0


class NVMLError(RuntimeError):
    """A failed NVML call; the message names the call and NVML's return code."""


_library = None


def _call(name, *arguments):
    result = getattr(_library, name)(*arguments)
    if result != 0:
        raise NVMLError(f"{name} failed with NVML return code {result}")


def nvmlInit():
    global _library
    _library = ctypes.CDLL("libnvidia-ml.so.1")
    _call("nvmlInit_v2")


def nvmlDeviceGetHandleByIndex(index):
    handle = ctypes.c_void_p()
    _call("nvmlDeviceGetHandleByIndex_v2", ctypes.c_uint(index), ctypes.byref(handle))
    return handle


def _text(name, *arguments):
    buffer = ctypes.create_string_buffer(96)
    _call(name, *arguments, buffer, ctypes.c_uint(len(buffer)))
    return buffer.value.decode()


def nvmlDeviceGetName(handle):
    return _text("nvmlDeviceGetName", handle)


def nvmlSystemGetDriverVersion():
    return _text("nvmlSystemGetDriverVersion")


def _unsigned(name, handle, *arguments):
    value = ctypes.c_uint()
    _call(name, handle, *arguments, ctypes.byref(value))
    return value.value


def nvmlDeviceGetMaxClockInfo(handle, clock):
    return _unsigned("nvmlDeviceGetMaxClockInfo", handle, ctypes.c_int(clock))


def nvmlDeviceGetClockInfo(handle, clock):
    return _unsigned("nvmlDeviceGetClockInfo", handle, ctypes.c_int(clock))


def nvmlDeviceGetApplicationsClock(handle, clock):
    return _unsigned("nvmlDeviceGetApplicationsClock", handle, ctypes.c_int(clock))


def nvmlDeviceGetPowerManagementLimit(handle):
    """Milliwatts."""
    return _unsigned("nvmlDeviceGetPowerManagementLimit", handle)


def nvmlDeviceGetTemperature(handle, sensor):
    return _unsigned("nvmlDeviceGetTemperature", handle, ctypes.c_int(sensor))


def nvmlDeviceGetTotalEnergyConsumption(handle):
    """Millijoules since the driver was loaded (Volta and later)."""
    value = ctypes.c_ulonglong()
    _call("nvmlDeviceGetTotalEnergyConsumption", handle, ctypes.byref(value))
    return value.value


def load():
    """`pynvml` when installed, else this module; `(module, where it came from)`."""
    try:
        import pynvml
        return pynvml, "nvidia-ml-py " + getattr(pynvml, "__version__", "")
    except ImportError:
        import sys
        return sys.modules[__name__], "ctypes binding of libnvidia-ml.so.1"
