"""The network list: 50 distinct NB201 cells spread over FLOPs and accuracy, and the bundled nets."""

import csv
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from joule_measure import networks  # noqa: E402

TABLE = os.path.join(networks.repository_root(), "Examples", "nb201", "nb201_cifar10.csv")


class NetworkListTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(TABLE, newline="", encoding="utf-8") as handle:
            cls.table = list(csv.DictReader(handle))
        cls.chosen = networks.choose_nb201(seed=1)

    def test_fifty_distinct_cells_from_the_table(self):
        self.assertEqual(len(self.chosen), 50)
        cells = [r["arch_str"] for r in self.chosen]
        self.assertEqual(len(set(cells)), 50)
        known = {r["arch_str"] for r in self.table}
        self.assertTrue(set(cells) <= known)

    def test_deterministic_per_seed(self):
        self.assertEqual([r["arch_str"] for r in networks.choose_nb201(seed=1)],
                         [r["arch_str"] for r in self.chosen])
        self.assertNotEqual([r["arch_str"] for r in networks.choose_nb201(seed=2)],
                            [r["arch_str"] for r in self.chosen])

    def test_every_flops_level_is_represented(self):
        levels = {networks.flops_rank(r["arch_str"]) for r in self.table}
        chosen = {networks.flops_rank(r["arch_str"]) for r in self.chosen}
        self.assertEqual(chosen, levels)
        self.assertEqual(min(chosen), 0)
        self.assertEqual(max(chosen), 54)

    def test_accuracy_is_spread(self):
        accuracies = sorted(float(r["cifar10_test_acc"]) for r in self.chosen)
        everything = sorted(float(r["cifar10_test_acc"]) for r in self.table)
        # The chosen span reaches both tails of the table's distribution ...
        self.assertLessEqual(accuracies[0], everything[len(everything) // 20])
        self.assertGreaterEqual(accuracies[-1], everything[-len(everything) // 20])
        # ... and no quarter of the table's accuracy range is left without a cell.
        quartiles = [everything[i * len(everything) // 4] for i in range(1, 4)]
        bins = [sum(1 for a in accuracies if a < quartiles[0]),
                sum(1 for a in accuracies if quartiles[0] <= a < quartiles[1]),
                sum(1 for a in accuracies if quartiles[1] <= a < quartiles[2]),
                sum(1 for a in accuracies if a >= quartiles[2])]
        self.assertTrue(all(b >= 5 for b in bins), bins)

    def test_network_list_names_existing_specs(self):
        listed = networks.network_list(seed=1)
        bundled = [n for n in listed if n["kind"] == "bundled"]
        self.assertEqual([n["name"] for n in bundled], networks.BUNDLED)
        for network in bundled:
            self.assertTrue(os.path.exists(network["source"]), network["source"])
        nb201 = [n for n in listed if n["kind"] == "nb201"]
        self.assertEqual(len(nb201), 50)
        self.assertTrue(all(n["source"] == "nb201:" + n["cell"] for n in nb201))
        self.assertEqual(len({n["name"] for n in listed}), len(listed))


if __name__ == "__main__":
    unittest.main()
