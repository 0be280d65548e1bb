"""PyTorch modules from Joule's Paleo JSON specs and from per-layer sweep rows.

Paleo describes NHWC tensors and `[kh, kw, in, out]` filters; the modules are NCHW, as
PyTorch runs convolutions, with the same shapes transposed. SAME padding that splits
unevenly (TensorFlow puts the extra pixel after) becomes an explicit pad before the
window; even splits use the layer's own padding argument, so the common case runs one
kernel as eager PyTorch would.

What each spec type becomes:

- `Convolution`: `nn.Conv2d` (no bias with `"bias": false`; `splits` divides the output
  channels, as Joule does), followed by `nn.BatchNorm2d` when `normalizer_fn` is
  `batch_norm` and the activation when `activation_fn` is set: the network as its authors
  ran it. Joule keeps these two keys but does not cost them; `extras=False` leaves them out.
- `Pooling` (max), `AvgPool` (padding not counted, as NB201's `count_include_pad=False`).
- `InnerProduct`: flatten, then `nn.Linear`. `BatchNorm`, `ReLU`, `Activation`
  (relu, sigmoid, tanh, elu, gelu, swish, leaky_relu, zero = `x * 0` as NB201's `none`),
  `Dropout`, `LRN`, `UpSampling2D` (nearest), `Reshape` (in NHWC order).
- `Softmax`: flatten, then softmax; Paleo's `num_classes` must equal the flattened size
  (a softmax layer has no weights to change it).
- `Add` and `Elementwise` (sum, product, max): the inputs combined pairwise in order;
  a single-input `Add` is `x + 0`, a real kernel, as NB201's `sum([x])` is in PyTorch.
- `Concatenate`: `torch.cat` along the NCHW axis of Paleo's NHWC `dim`.

Anything else (`Deconvolution`, `Sigmoid`, `Block` before `joule convert`, unknown types)
raises `SpecError` naming the layer.
"""

import functools
import operator

from . import paleo
from .paleo import SpecError

_NHWC_TO_NCHW_AXIS = {0: 0, 1: 2, 2: 3, 3: 1}


def _torch():
    import torch  # imported here so that the sweep, the plan and the tests run without it
    return torch


def _activation(name, layer_name):
    nn = _torch().nn
    table = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "elu": nn.ELU, "gelu": nn.GELU,
             "swish": nn.SiLU, "leaky_relu": nn.LeakyReLU, "zero": _classes()["Zero"]}
    if name not in table:
        raise SpecError(f"layer '{layer_name}': activation '{name}' is not supported ({', '.join(sorted(table))})")
    return table[name]()


@functools.lru_cache(maxsize=None)
def _classes():
    """The module classes, defined once torch is imported."""
    torch = _torch()
    nn = torch.nn

    class Zero(nn.Module):
        """x ↦ 0 with a real kernel, as NB201's `none` edge runs (`x.mul(0.)`)."""
        def forward(self, x):
            return x.mul(0.0)

    class Combine(nn.Module):
        """Element-wise sum, product or max of the inputs, in order."""
        def __init__(self, operation):
            super().__init__()
            self.operation = operation

        def forward(self, *inputs):
            if len(inputs) == 1:
                return inputs[0] + 0 if self.operation == "sum" else inputs[0].clone()
            combine = {"sum": operator.add, "product": operator.mul, "max": torch.maximum}[self.operation]
            return functools.reduce(combine, inputs)

    class Concat(nn.Module):
        def __init__(self, axis):
            super().__init__()
            self.axis = axis

        def forward(self, *inputs):
            return torch.cat(inputs, dim=self.axis)

    class Flatten(nn.Module):
        def forward(self, x):
            # NHWC order, as Paleo flattens, so that a reshape or a following layer's
            # features line up with the spec's.
            if x.dim() == 4:
                x = x.permute(0, 2, 3, 1)
            return x.reshape(x.shape[0], -1)

    class Reshape(nn.Module):
        def __init__(self, target):
            super().__init__()
            self.target = list(target)

        def forward(self, x):
            if x.dim() == 4:
                x = x.permute(0, 2, 3, 1)
            x = x.reshape(self.target)
            return x.permute(0, 3, 1, 2) if x.dim() == 4 else x

    class SoftmaxHead(nn.Module):
        def forward(self, x):
            return torch.softmax(Flatten()(x), dim=1)

    class SpecNetwork(nn.Module):
        """A Paleo spec's graph: every layer's output kept by name, the sinks returned."""
        def __init__(self, order, modules, parents, outputs, input_name):
            super().__init__()
            self.order = order
            self.parents = parents
            self.outputs = outputs
            self.input_name = input_name
            self.layers = nn.ModuleDict({_key(name): module for name, module in modules.items()})

        def run_all(self, x):
            """Every layer's output, by spec name (the input included)."""
            values = {self.input_name: x}
            for name in self.order:
                values[name] = self.layers[_key(name)](*[values[p] for p in self.parents[name]])
            return values

        def forward(self, x):
            values = self.run_all(x)
            results = [values[name] for name in self.outputs]
            return results[0] if len(results) == 1 else tuple(results)

    return {"Zero": Zero, "Combine": Combine, "Concat": Concat, "Flatten": Flatten, "Reshape": Reshape,
            "SoftmaxHead": SoftmaxHead, "SpecNetwork": SpecNetwork}


def _key(name):
    """A ModuleDict key for a spec name (dots are not allowed there)."""
    return name.replace(".", "\u2024")


def _window_padding(nn, size_h, size_w, kernel, stride, padding, pad_value, layer_name):
    """`(explicit pad module or None, symmetric padding tuple)` for a window layer."""
    if isinstance(padding, list):
        return None, (int(padding[0]), int(padding[1]))
    padding = padding.upper()
    if padding == "VALID":
        return None, (0, 0)
    if padding != "SAME":
        raise SpecError(f"layer '{layer_name}': padding '{padding}' is not SAME, VALID or [ph, pw]")
    _, total_h = paleo.window_output(size_h, kernel[0], stride[0], "SAME")
    _, total_w = paleo.window_output(size_w, kernel[1], stride[1], "SAME")
    if total_h % 2 == 0 and total_w % 2 == 0:
        return None, (total_h // 2, total_w // 2)
    # (left, right, top, bottom): the odd pixel after, as TensorFlow and Paleo place it.
    pads = (total_w // 2, total_w - total_w // 2, total_h // 2, total_h - total_h // 2)
    return nn.ConstantPad2d(pads, pad_value), (0, 0)


def layer_module(name, layer, input_shapes, extras=True):
    """The PyTorch module of one spec layer, given its inputs' NHWC shapes."""
    torch = _torch()
    nn = torch.nn
    classes = _classes()
    kind = layer["type"]
    first = input_shapes[0] if input_shapes else None
    if kind == "Convolution":
        kh, kw, cin, cout = layer["filter"]
        cin = first[3] if cin == -1 else cin
        cout //= layer.get("splits", 1) or 1
        stride = (layer["strides"][1], layer["strides"][2])
        pad, padding = _window_padding(nn, first[1], first[2], (kh, kw), stride, layer.get("padding", "SAME"), 0.0, name)
        parts = [pad] if pad is not None else []
        parts.append(nn.Conv2d(cin, cout, (kh, kw), stride=stride, padding=padding, bias=layer.get("bias") is not False))
        if extras and layer.get("normalizer_fn") == "batch_norm":
            parts.append(nn.BatchNorm2d(cout))
        elif extras and layer.get("normalizer_fn") not in (None, "batch_norm"):
            raise SpecError(f"layer '{name}': normalizer_fn '{layer['normalizer_fn']}' is not supported")
        if extras and layer.get("activation_fn"):
            parts.append(_activation(layer["activation_fn"], name))
        return parts[0] if len(parts) == 1 else nn.Sequential(*parts)
    if kind in ("Pooling", "AvgPool"):
        _, kh, kw, _ = layer["ksize"]
        stride = (layer["strides"][1], layer["strides"][2])
        is_max = kind == "Pooling"
        pad, padding = _window_padding(nn, first[1], first[2], (kh, kw), stride, layer.get("padding", "VALID"),
                                       float("-inf") if is_max else 0.0, name)
        pool = (nn.MaxPool2d((kh, kw), stride=stride, padding=padding) if is_max else
                nn.AvgPool2d((kh, kw), stride=stride, padding=padding, count_include_pad=False))
        return pool if pad is None else nn.Sequential(pad, pool)
    if kind == "InnerProduct":
        features = functools.reduce(operator.mul, first[1:], 1)
        return nn.Sequential(classes["Flatten"](), nn.Linear(features, layer["num_outputs"]))
    if kind == "BatchNorm":
        return nn.BatchNorm2d(first[3]) if len(first) == 4 else nn.BatchNorm1d(first[-1])
    if kind == "ReLU":
        return nn.ReLU()
    if kind == "Activation":
        return _activation(layer["function"], name)
    if kind == "Dropout":
        return nn.Dropout(p=1.0 - layer["dropout_keep_prob"])
    if kind == "LRN":
        return nn.LocalResponseNorm(layer.get("size", 5))
    if kind == "Softmax":
        features = functools.reduce(operator.mul, first[1:], 1)
        classes_count = layer.get("num_classes", features)
        if classes_count != features:
            raise SpecError(f"layer '{name}': Softmax of {features} features to {classes_count} classes needs a "
                            "projection the spec does not describe")
        return classes["SoftmaxHead"]()
    if kind in ("Add", "Elementwise"):
        return classes["Combine"](layer.get("operation", "sum"))
    if kind == "Concatenate":
        axis = layer["dim"] % len(first)
        return classes["Concat"](_NHWC_TO_NCHW_AXIS[axis] if len(first) == 4 else axis)
    if kind == "Reshape":
        return classes["Reshape"](paleo.shapes({"layers": {"in": {"type": "Input", "tensor": first, "parents": []},
                                                             "out": dict(layer, parents=["in"])}})["out"])
    if kind == "UpSampling2D":
        _, fh, fw, _ = layer["ksize"]
        return nn.Upsample(scale_factor=(fh, fw), mode="nearest")
    raise SpecError(f"layer '{name}': type {kind} is not supported by the PyTorch builder"
                    + (" (flatten it with `joule convert --to paleo-json`)" if kind == "Block" else ""))


def nchw(shape):
    """A Paleo NHWC shape as PyTorch's NCHW (rank-2 shapes unchanged)."""
    return [shape[0], shape[3], shape[1], shape[2]] if len(shape) == 4 else list(shape)


def spec_to_module(spec, extras=True):
    """`(module, input shape)`: the spec as a PyTorch module and its NCHW input shape.

    - Parameters: `spec` is a parsed Paleo JSON dict (as `joule convert` writes it);
      `extras` builds the BatchNorm and activation that `normalizer_fn`/`activation_fn` name.
    - Throws: `SpecError` naming the layer for unsupported types or settings.
    """
    shapes = paleo.shapes(spec)
    order = paleo.ordered_layers(spec)
    inputs = [name for name, layer in order if layer["type"] == "Input"]
    if len(inputs) != 1:
        raise SpecError(f"the spec has {len(inputs)} Input layers; the builder takes exactly one")
    children = {name: 0 for name, _ in order}
    modules, parents, names = {}, {}, []
    for name, layer in order:
        for parent in layer.get("parents", []):
            children[parent] += 1
        if layer["type"] == "Input":
            continue
        modules[name] = layer_module(name, layer, [shapes[p] for p in layer["parents"]], extras=extras)
        parents[name] = list(layer["parents"])
        names.append(name)
    outputs = [name for name in names if children[name] == 0]
    network = _classes()["SpecNetwork"](names, modules, parents, outputs, inputs[0])
    return network, nchw(shapes[inputs[0]])


def row_module(row):
    """`(module, input shapes)` for a per-layer sweep row: the layer `joule fit` reads it as."""
    kind, batch = row["layer_type"], row["batch"]
    if kind == "convolution":
        size, cin = row["input_size"], row["in_channels"]
        layer = {"type": "Convolution", "filter": [row["kernel_size"], row["kernel_size"], cin, row["out_channels"]],
                 "strides": [1, row["stride"], row["stride"], 1], "padding": [row["padding"], row["padding"]]}
        inputs = [[batch, size, size, cin]]
    elif kind == "fully_connected":
        layer = {"type": "InnerProduct", "num_outputs": row["out_features"]}
        inputs = [[batch, row["in_features"]]]
    elif kind == "pooling":
        layer = {"type": "AvgPool" if row.get("pool") == "avg" else "Pooling",
                 "ksize": [1, row["kernel_size"], row["kernel_size"], 1],
                 "strides": [1, row["stride"], row["stride"], 1], "padding": row.get("padding", "valid").upper()}
        inputs = [[batch, row["input_size"], row["input_size"], row["channels"]]]
    elif kind in ("batch_norm", "activation"):
        layer = {"type": "BatchNorm" if kind == "batch_norm" else "ReLU"}
        inputs = [[batch, row["size"], row["size"], row["channels"]]]
    elif kind == "elementwise":
        layer = {"type": "Add"}
        inputs = [[batch, row["size"], row["size"], row["channels"]]] * row["inputs"]
    elif kind == "concat":
        layer = {"type": "Concatenate", "dim": 3}
        inputs = [[batch, row["size"], row["size"], row["channels"] // row["inputs"]]] * row["inputs"]
    else:
        raise SpecError(f"sweep row {row.get('sweep_index')}: unknown layer type '{kind}'")
    return layer_module(kind, layer, inputs), [nchw(s) for s in inputs]
