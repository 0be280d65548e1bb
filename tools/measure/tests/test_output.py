"""The CSV writer, the synthetic model, and layer rows of a spec (no GPU, no PyTorch)."""

import csv
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from joule_measure import output, paleo, sweep, synthetic  # noqa: E402


class OutputTests(unittest.TestCase):
    def test_provenance_block_comes_before_the_header_and_rows_round_trip(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "layers_fp32.csv")
            table = output.TableWriter(path, output.LAYER_COLUMNS)
            configs = sweep.layer_sweep(seed=1)[:7]
            for config in configs:
                table.add(dict(config, dtype="fp32", runtime_seconds=1.25e-5, power_watts=201.5))
            self.assertTrue(os.path.exists(path + ".partial"))
            self.assertEqual(table.finish({"gpu_name": "NVIDIA H100 80GB HBM3", "note": "two\nlines"}), path)
            self.assertFalse(os.path.exists(path + ".partial"))
            with open(path, encoding="utf-8") as handle:
                lines = handle.read().splitlines()
            self.assertEqual(lines[:2], ["# gpu_name: NVIDIA H100 80GB HBM3", "# note: two lines"])
            rows = list(csv.DictReader(lines[2:]))
            self.assertEqual(len(rows), 7)
            self.assertEqual([r["layer_type"] for r in rows], [c["layer_type"] for c in configs])
            self.assertEqual(float(rows[0]["runtime_seconds"]), 1.25e-5)
            # Columns a row does not use are empty, which joule fit reads as "not given".
            self.assertEqual(rows[0]["in_features"], "")

    def test_no_rows_no_file(self):
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "empty.csv")
            self.assertIsNone(output.TableWriter(path, output.LAYER_COLUMNS).finish({}))
            self.assertEqual(os.listdir(folder), [])

    def test_joule_gpu_ids_from_nvml_names(self):
        self.assertEqual(output.joule_gpu_id("NVIDIA H100 80GB HBM3"), "H100_SXM")
        self.assertEqual(output.joule_gpu_id("NVIDIA H100 PCIe"), "H100_PCIE")
        self.assertEqual(output.joule_gpu_id("NVIDIA H200"), "H200")
        self.assertIsNone(output.joule_gpu_id("Some Future GPU"))


class SyntheticTests(unittest.TestCase):
    def test_formulas_by_hand(self):
        conv = {"layer_type": "convolution", "batch": 2, "in_channels": 16, "out_channels": 32, "input_size": 8,
                "kernel_size": 3, "stride": 1, "padding": 1}
        # 2·(2·8·8·32)·16·9 FLOPs = 1,179,648 over 40 TFLOP/s, plus 4 µs.
        self.assertAlmostEqual(synthetic.runtime_seconds(conv), 4e-6 + 1179648 / 40e12, places=15)
        self.assertAlmostEqual(synthetic.power_watts(conv), 90 + 15 * 1 + 6 * 5)
        relu = {"layer_type": "activation", "batch": 4, "channels": 8, "size": 4}
        self.assertAlmostEqual(synthetic.runtime_seconds(relu), 2e-6 + 4 * 2 * 512 / 2.5e12, places=15)

    def test_network_values_sum_the_layers(self):
        spec = {"name": "two", "layers": {
            "data": {"parents": [], "type": "Input", "tensor": [2, 8, 8, 16]},
            "conv": {"parents": ["data"], "type": "Convolution", "filter": [3, 3, 16, 32], "strides": [1, 1, 1, 1],
                     "padding": "SAME"},
            "relu": {"parents": ["conv"], "type": "ReLU"},
            "softmax": {"parents": ["relu"], "type": "Softmax"}}}
        rows = paleo.layer_rows(spec)
        self.assertEqual([r["layer_type"] for r in rows], ["convolution", "activation"])
        self.assertEqual(rows[0]["padding"], 1)
        expected = sum(synthetic.runtime_seconds(r) for r in rows)
        noiseless = synthetic.network_measurement(spec, 2, synthetic.generator(1), sigma=0.0)
        self.assertAlmostEqual(noiseless["inference_seconds"], expected, places=15)
        self.assertAlmostEqual(noiseless["energy_per_sample_joules"] * 2, noiseless["inference_energy_joules"])


class PaleoShapeTests(unittest.TestCase):
    def test_same_valid_and_explicit_padding(self):
        self.assertEqual(paleo.window_output(224, 11, 4, "VALID"), (54, 0))
        self.assertEqual(paleo.window_output(224, 3, 2, "SAME"), (112, 1))
        self.assertEqual(paleo.window_output(8, 1, 2, "SAME"), (4, 0))
        self.assertEqual(paleo.window_output(32, 3, 1, 1), (32, 2))

    def test_layers_out_of_order_are_sorted_and_cycles_refused(self):
        spec = {"layers": {"b": {"type": "ReLU", "parents": ["a"]},
                           "a": {"type": "Input", "parents": [], "tensor": [1, 4, 4, 2]}}}
        self.assertEqual([name for name, _ in paleo.ordered_layers(spec)], ["a", "b"])
        spec["layers"]["a"]["parents"] = ["b"]
        with self.assertRaises(paleo.SpecError):
            paleo.ordered_layers(spec)


if __name__ == "__main__":
    unittest.main()
