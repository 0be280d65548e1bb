"""Paleo JSON specs in pure Python: layer order, shapes, and layers as per-layer rows.

Shapes follow Paleo's rules as Joule applies them (NHWC tensors, `[kh, kw, in, out]`
filters, `[1, h, w, 1]` windows and strides): VALID gives `ceil((h - k + 1) / s)`, SAME
gives `ceil(h / s)` and pads `(out - 1)·s + k - h` pixels in all, explicit `[ph, pw]`
gives `(h + 2p - k) // s + 1`. The PyTorch builder uses these shapes to choose padding,
and the synthetic generator uses the rows; neither needs PyTorch.

Specs are expected as `joule convert --to paleo-json` writes them: Blocks and
model-parallel groups are already flattened into plain layers.
"""

import json


class SpecError(ValueError):
    """A spec this module cannot read; the message names the layer."""


def load(path):
    """The spec at `path` as a dict."""
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def ordered_layers(spec):
    """`(name, layer)` pairs with every layer after its parents."""
    layers = spec["layers"]
    done, order = set(), []
    pending = list(layers.items())
    while pending:
        progressed, rest = False, []
        for name, layer in pending:
            if all(p in done for p in layer.get("parents", [])):
                order.append((name, layer))
                done.add(name)
                progressed = True
            else:
                rest.append((name, layer))
        if not progressed:
            missing = sorted({p for _, l in rest for p in l.get("parents", []) if p not in layers})
            raise SpecError(f"layer '{rest[0][0]}': parents that never resolve ({', '.join(missing) or 'a cycle'})")
        pending = rest
    return order


def window_output(size, kernel, stride, padding):
    """`(output size, total padding pixels)` along one axis, Paleo's rule."""
    if padding == "VALID":
        return -(-(size - kernel + 1) // stride), 0
    if padding == "SAME":
        out = -(-size // stride)
        return out, max(0, (out - 1) * stride + kernel - size)
    pad = int(padding)
    return (size + 2 * pad - kernel) // stride + 1, 2 * pad


def _padding(layer, axis):
    padding = layer.get("padding", "SAME")
    if isinstance(padding, list):
        return padding[axis]
    return padding.upper()


def shapes(spec):
    """Output shape (NHWC, batch first) of every layer, by name, in order."""
    result = {}
    for name, layer in ordered_layers(spec):
        kind = layer["type"]
        inputs = [result[p] for p in layer.get("parents", [])]
        first = inputs[0] if inputs else None
        if kind == "Input":
            shape = list(layer["tensor"])
        elif kind == "Convolution":
            kh, kw, _, cout = layer["filter"]
            cout //= layer.get("splits", 1) or 1
            h, _ = window_output(first[1], kh, layer["strides"][1], _padding(layer, 0))
            w, _ = window_output(first[2], kw, layer["strides"][2], _padding(layer, 1))
            shape = [first[0], h, w, cout]
        elif kind in ("Pooling", "AvgPool"):
            _, kh, kw, _ = layer["ksize"]
            h, _ = window_output(first[1], kh, layer["strides"][1], _padding(layer, 0))
            w, _ = window_output(first[2], kw, layer["strides"][2], _padding(layer, 1))
            shape = [first[0], h, w, first[3]]
        elif kind == "InnerProduct":
            shape = [first[0], layer["num_outputs"]]
        elif kind == "Concatenate":
            axis = layer["dim"] % len(first)
            shape = list(first)
            shape[axis] = sum(s[axis] for s in inputs)
        elif kind == "Softmax":
            shape = [first[0], layer.get("num_classes", first[-1])]
        elif kind == "Reshape":
            shape = _reshaped(first, layer["output_shape"], name)
        elif kind == "UpSampling2D":
            _, fh, fw, _ = layer["ksize"]
            shape = [first[0], first[1] * fh, first[2] * fw, first[3]]
        elif kind in ("Add", "Elementwise", "BatchNorm", "ReLU", "Activation", "Dropout", "LRN"):
            shape = list(first)
        else:
            raise SpecError(f"layer '{name}': type {kind} is not supported (run `joule convert` to flatten Blocks)")
        if any(d < 1 for d in shape):
            raise SpecError(f"layer '{name}': output shape {shape} has a dimension below 1")
        result[name] = shape
    return result


def _reshaped(shape, target, name):
    total = 1
    for d in shape:
        total *= d
    known = 1
    for d in target:
        if d != -1:
            known *= d
    result = [total // known if d == -1 else d for d in target]
    check = 1
    for d in result:
        check *= d
    if check != total:
        raise SpecError(f"layer '{name}': cannot reshape {shape} to {target}")
    return result


def layer_rows(spec):
    """The spec's layers as per-layer rows (the sweep's columns), for the polynomial types.

    Layers no polynomial category covers (Input, Softmax, Dropout, LRN, Reshape) give no
    row. A convolution's padding is given in pixels per side (SAME's total halved), as the
    per-layer CSV takes it; non-square inputs are not produced by the bundled networks.
    """
    sizes = shapes(spec)
    rows = []
    for name, layer in ordered_layers(spec):
        kind = layer["type"]
        parents = layer.get("parents", [])
        source = sizes[parents[0]] if parents else None
        out = sizes[name]
        batch = out[0]
        if kind == "Convolution":
            kh, _, cin, cout = layer["filter"]
            cin = source[3] if cin == -1 else cin
            _, pad = window_output(source[1], kh, layer["strides"][1], _padding(layer, 0))
            rows.append({"layer_type": "convolution", "batch": batch, "in_channels": cin, "out_channels": out[3],
                         "input_size": source[1], "kernel_size": kh, "stride": layer["strides"][1], "padding": pad // 2})
        elif kind == "InnerProduct":
            features = 1
            for d in source[1:]:
                features *= d
            rows.append({"layer_type": "fully_connected", "batch": batch, "in_features": features, "out_features": out[1]})
        elif kind in ("Pooling", "AvgPool"):
            rows.append({"layer_type": "pooling", "batch": batch, "channels": source[3], "input_size": source[1],
                         "kernel_size": layer["ksize"][1], "stride": layer["strides"][1],
                         "padding": _padding(layer, 0).lower(), "pool": "avg" if kind == "AvgPool" else "max"})
        elif kind in ("BatchNorm", "ReLU", "Activation") and len(out) == 4:
            category = "batch_norm" if kind == "BatchNorm" else "activation"
            rows.append({"layer_type": category, "batch": batch, "channels": out[3], "size": out[1]})
        elif kind in ("Add", "Elementwise", "Concatenate") and len(out) == 4:
            category = "concat" if kind == "Concatenate" else "elementwise"
            rows.append({"layer_type": category, "batch": batch, "channels": out[3], "size": out[1],
                         "inputs": len(parents)})
    return rows
