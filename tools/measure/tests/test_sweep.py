"""The layer sweep and the plan: size, determinism, validity, coverage, budget trimming."""

import collections
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from joule_measure import networks, plan, sweep  # noqa: E402


class SweepTests(unittest.TestCase):
    def test_size_is_about_three_hundred_with_every_type(self):
        configs = sweep.layer_sweep(seed=1)
        self.assertEqual(len(configs), 300)
        counts = collections.Counter(c["layer_type"] for c in configs)
        self.assertEqual(dict(counts), sweep.TYPE_COUNTS)

    def test_same_seed_same_sweep_other_seed_other_sweep(self):
        self.assertEqual(sweep.layer_sweep(seed=7), sweep.layer_sweep(seed=7))
        self.assertNotEqual(sweep.layer_sweep(seed=7), sweep.layer_sweep(seed=8))

    def test_every_configuration_is_valid_for_many_seeds(self):
        for seed in range(1, 40):
            for config in sweep.layer_sweep(seed=seed):
                self.assertTrue(sweep.is_valid(config), f"seed {seed}: {config}")
                elements = sweep.tensor_elements(config)
                self.assertGreaterEqual(min(elements), 1, config)

    def test_output_sizes_match_paleo_same_padding(self):
        # Odd kernels padded kernel // 2 per side give SAME's ceil(size / stride).
        for config in sweep.layer_sweep(seed=3):
            if config["layer_type"] == "convolution":
                out = sweep.output_size(config["input_size"], config["kernel_size"], config["stride"], config["padding"])
                self.assertEqual(out, -(-config["input_size"] // config["stride"]), config)

    def test_latin_hypercube_spans_each_range(self):
        # One sample per stratum: the smallest and largest batch and channel strata are used.
        convolutions = [c for c in sweep.layer_sweep(seed=1) if c["layer_type"] == "convolution"]
        sizes = sorted(c["input_size"] for c in convolutions)
        self.assertLessEqual(sizes[0], 8)
        self.assertGreaterEqual(sizes[-1], 200)
        out_channels = sorted(c["out_channels"] for c in convolutions)
        self.assertLessEqual(out_channels[0], 18)
        self.assertGreaterEqual(out_channels[-1], 900)
        kernels = {c["kernel_size"] for c in convolutions}
        self.assertTrue({1, 3, 5, 7} <= kernels, kernels)
        self.assertTrue({1, 2, 4} <= {c["stride"] for c in convolutions})
        pools = {c["pool"] for c in sweep.layer_sweep(seed=1) if c["layer_type"] == "pooling"}
        self.assertEqual(pools, {"max", "avg"})

    def test_any_prefix_covers_every_type(self):
        configs = sweep.layer_sweep(seed=2)
        self.assertEqual({c["layer_type"] for c in configs[:7]}, set(sweep.TYPE_COUNTS))

    def test_trimming_keeps_every_type_and_is_deterministic(self):
        configs = sweep.layer_sweep(seed=1)
        for keep in (10, 60, 150, 299):
            trimmed = sweep.trim(configs, keep)
            counts = collections.Counter(c["layer_type"] for c in trimmed)
            self.assertEqual(set(counts), set(sweep.TYPE_COUNTS), keep)
            self.assertGreaterEqual(min(counts.values()), 8)
            self.assertLessEqual(len(trimmed), max(keep, 8 * len(sweep.TYPE_COUNTS)))
            self.assertEqual(trimmed, sweep.trim(sweep.layer_sweep(seed=1), keep))
        self.assertEqual(sweep.trim(configs, 1000), configs)


class PlanTests(unittest.TestCase):
    def setUp(self):
        self.layers = sweep.layer_sweep(seed=1)
        self.networks = networks.network_list(seed=1)

    def test_budget_trims_layers_and_drops_later_dtypes(self):
        full = plan.Plan(self.layers, self.networks, ["fp32", "bf16"])
        self.assertEqual(full.dtypes, ["fp32", "bf16"])
        self.assertEqual(len(full.layers), 300)
        budget = 540
        trimmed = plan.Plan(self.layers, self.networks, ["fp32", "bf16"], budget_seconds=budget)
        self.assertLessEqual(trimmed.estimated_seconds(), budget)
        self.assertLess(len(trimmed.layers), 300)
        self.assertGreater(len(trimmed.layers), 200)
        self.assertEqual(trimmed.dtypes, ["fp32"])
        self.assertEqual(trimmed.dropped_dtypes, ["bf16"])
        self.assertEqual({c["layer_type"] for c in trimmed.layers}, set(sweep.TYPE_COUNTS))

    def test_a_generous_budget_keeps_everything(self):
        generous = plan.Plan(self.layers, self.networks, ["fp32", "bf16"], budget_seconds=5000)
        self.assertEqual(len(generous.layers), 300)
        self.assertEqual(generous.dtypes, ["fp32", "bf16"])

    def test_description_counts_types_and_gives_the_duration(self):
        text = plan.Plan(self.layers, self.networks, ["fp32"], budget_seconds=540).describe()
        self.assertIn("convolution", text)
        self.assertIn("concat", text)
        self.assertIn("56 (6 bundled", text)
        self.assertRegex(text, r"estimated duration: \d+ s")


if __name__ == "__main__":
    unittest.main()
