"""spec_to_module on CPU, checked against Joule's own reading of the same specs.

Every bundled network and a few NB201 cells are converted with `joule convert` at batch 1,
built as PyTorch modules and run forward. Each layer's output shape (as PyTorch computes
it from the module's own convolution and pooling arithmetic) and parameter count must
equal what `joule estimate --per-layer --format json` reports for that layer: two
independent readings of the spec. Skipped without PyTorch or without a joule executable
(set $JOULE, or build one).
"""

import glob
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from joule_measure import networks, paleo, sweep  # noqa: E402

try:
    import torch
except ImportError:  # CI machines may lack PyTorch; the rest of the suite runs without it
    torch = None

JOULE = networks.find_joule()
NETS = sorted(glob.glob(os.path.join(networks.repository_root(), "Examples", "nets", "*.json")))


def joule_layers(spec_path):
    """Joule's per-layer report: name → (NHWC output shape, parameters), and the total."""
    done = subprocess.run([JOULE, "estimate", spec_path, "--gpu", "H100_SXM", "--mode", "inference",
                           "--per-layer", "--format", "json"], capture_output=True, text=True, check=True)
    report = json.loads(done.stdout)
    return {l["name"]: (l["output_shape"], l["params"]) for l in report["layers"]}, report["params"]


@unittest.skipIf(torch is None, "PyTorch is not installed")
@unittest.skipIf(JOULE is None, "no joule executable (set $JOULE or build joule)")
class SpecToModuleTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        from joule_measure import torch_module
        cls.torch_module = torch_module
        cls.folder = tempfile.TemporaryDirectory()
        torch.manual_seed(0)
        torch.set_num_threads(2)

    @classmethod
    def tearDownClass(cls):
        cls.folder.cleanup()

    def convert(self, source, name):
        return networks.convert(JOULE, {"name": name, "source": source, "batch": 1}, self.folder.name)

    def check(self, spec_path):
        spec = paleo.load(spec_path)
        reported, total = joule_layers(spec_path)
        module, input_shape = self.torch_module.spec_to_module(spec, extras=False)
        module.eval()
        with torch.no_grad():
            values = module.run_all(torch.randn(*input_shape))
            final = module(torch.randn(*input_shape))
        for name, (shape, params) in reported.items():
            with self.subTest(layer=name):
                self.assertEqual(list(values[name].shape), self.torch_module.nchw(shape))
                if name in module.order:
                    own = sum(p.numel() for p in module.layers[self.torch_module._key(name)].parameters())
                    self.assertEqual(own, params)
        self.assertEqual(sum(p.numel() for p in module.parameters()), total)
        sinks = [name for name in module.outputs]
        self.assertEqual(len(sinks), 1)
        self.assertEqual(list(final.shape), self.torch_module.nchw(reported[sinks[0]][0]))
        return module, input_shape

    def test_every_bundled_network(self):
        self.assertGreaterEqual(len(NETS), 5)
        for path in NETS:
            with self.subTest(net=os.path.basename(path)):
                self.check(self.convert(path, os.path.basename(path)[:-5]))

    def test_extras_add_the_batch_norm_and_activation_the_spec_names(self):
        path = self.convert(os.path.join(networks.repository_root(), "Examples", "nets", "inception_v3.json"), "inc")
        spec = paleo.load(path)
        plain, shape = self.torch_module.spec_to_module(spec, extras=False)
        full, _ = self.torch_module.spec_to_module(spec, extras=True)
        normalised = [l for l in spec["layers"].values() if l.get("normalizer_fn") == "batch_norm"]
        channels = sum(l["filter"][3] for l in normalised)
        self.assertGreater(len(normalised), 50)
        params = lambda m: sum(p.numel() for p in m.parameters())  # noqa: E731
        self.assertEqual(params(full) - params(plain), 2 * channels)
        full.eval()
        with torch.no_grad():
            self.assertEqual(list(full(torch.randn(*shape)).shape), [1, 1000])

    def test_nb201_cells(self):
        chosen = networks.choose_nb201(seed=1)
        cells = [chosen[0]["arch_str"], chosen[len(chosen) // 2]["arch_str"], chosen[-1]["arch_str"],
                 "|none~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|"]
        for index, cell in enumerate(cells):
            with self.subTest(cell=cell):
                module, shape = self.check(self.convert("nb201:" + cell, f"nb201-{index}"))
                self.assertEqual(shape, [1, 3, 32, 32])

    def test_sweep_rows_build_the_layer_the_row_describes(self):
        rows = [c for c in sweep.layer_sweep(seed=1)]
        seen = set()
        for row in rows:
            if row["layer_type"] in seen:
                continue
            seen.add(row["layer_type"])
            small = dict(row, batch=1)
            for key in ("input_size", "size"):
                if key in small:
                    small[key] = min(small[key], 20)
            if small["layer_type"] in ("convolution", "pooling"):
                small["kernel_size"] = min(small["kernel_size"], small["input_size"])
                if small["layer_type"] == "convolution":
                    small["kernel_size"] -= 1 - small["kernel_size"] % 2
                    small["padding"] = small["kernel_size"] // 2
            module, shapes = self.torch_module.row_module(small)
            with torch.no_grad():
                out = module(*[torch.randn(*s) for s in shapes])
            kind = small["layer_type"]
            with self.subTest(kind=kind):
                if kind == "convolution":
                    side = -(-small["input_size"] // small["stride"])  # SAME: ceil(size / stride)
                    self.assertEqual(list(out.shape), [1, small["out_channels"], side, side])
                elif kind == "fully_connected":
                    self.assertEqual(list(out.shape), [1, small["out_features"]])
                elif kind == "pooling":
                    side = (small["input_size"] - small["kernel_size"]) // small["stride"] + 1
                    self.assertEqual(list(out.shape), [1, small["channels"], side, side])
                else:
                    self.assertEqual(list(out.shape), [1, small["channels"], small["size"], small["size"]])
        self.assertEqual(seen, set(sweep.TYPE_COUNTS))

    def test_unsupported_types_are_refused_by_name(self):
        spec = {"name": "x", "layers": {
            "data": {"parents": [], "type": "Input", "tensor": [1, 8, 8, 3]},
            "up": {"parents": ["data"], "type": "Deconvolution", "filter": [3, 3, 3, 3], "strides": [1, 2, 2, 1],
                   "padding": "SAME", "output_shape": [1, 16, 16, 3]}}}
        with self.assertRaises(paleo.SpecError) as caught:
            self.torch_module.spec_to_module(spec)
        self.assertIn("up", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
