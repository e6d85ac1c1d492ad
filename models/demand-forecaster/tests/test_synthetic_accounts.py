import numpy as np

from demand_forecaster import HOUR_MS
from demand_forecaster.data import Entity
from demand_forecaster.synthetic_accounts import synthetic_accounts


def vm(eid, start_h, values, split="train"):
    v = np.asarray(values, float)
    return Entity(eid, eid, "business-critical", [], start_h * HOUR_MS, {m: v * (i + 1) for i, m in
                  enumerate(("cpu", "memory", "storage", "network"))}, split)


def test_an_account_is_the_sum_of_its_vms_over_their_common_hours_and_a_gap_in_one_is_a_gap_of_the_account():
    a = vm("bb-1", 0, [1, 2, 3, 4, 5])
    b = vm("bb-2", 2, [10, np.nan, 30, 40, 50, 60])
    others = [vm("nab-x", 0, [7, 7, 7]), vm("bb-9", 0, [9, 9, 9, 9, 9], split="test")]
    (acc,) = synthetic_accounts([a, b, *others], 1, (2,), np.random.default_rng(0))
    assert set(acc.source.split("+")) == {"bb-1", "bb-2"}  # only Bitbrains training VMs are drawn
    assert acc.start_ms == 2 * HOUR_MS and acc.length == 3 and acc.split == "train"
    np.testing.assert_array_equal(acc.values["cpu"], [13, np.nan, 35])
    np.testing.assert_array_equal(acc.values["network"], 4 * acc.values["cpu"])


def test_accounts_are_reproducible_and_draw_distinct_vms():
    vms = [vm(f"bb-{i}", 0, np.arange(10) + i) for i in range(6)]
    one = synthetic_accounts(vms, 20, (2, 3, 4), np.random.default_rng(7))
    two = synthetic_accounts(vms, 20, (2, 3, 4), np.random.default_rng(7))
    assert [e.source for e in one] == [e.source for e in two]
    for e in one:
        parts = e.source.split("+")
        assert len(set(parts)) == len(parts) and 2 <= len(parts) <= 4
        np.testing.assert_array_equal(e.values["cpu"], sum(np.arange(10) + int(p[3:]) for p in parts))
