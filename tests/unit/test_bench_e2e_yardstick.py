"""The e2e bench's yardstick: the path's own parts at p99, from the same run."""

from __future__ import annotations

import pytest

from bench.e2e_hops import floor_p99, two_crossings_p99


def test_the_yardstick_is_two_broker_hops_and_two_batches_on_each_consumer_hop():
    batches = {"zll-enrolment": [0.050] * 100, "zll-notify": [0.030] * 100}

    (row,) = floor_p99(20.0, batches, "500/s for 60 s")

    assert row.value == pytest.approx(2 * 20 + 2 * 50 + 2 * 30)
    assert "enrolment batch p99 50.0 ms" in (row.note or "")


def test_without_sampled_batches_of_a_hop_there_is_no_yardstick():
    assert floor_p99(20.0, {"zll-enrolment": [0.05], "zll-notify": []}, "x") == []


def test_two_crossings_with_no_work_between_reach_nearly_twice_the_raw_p99():
    """Raw latencies spread evenly over a 20 ms fetch wait, as the dev broker's are: two of
    them summed already sit at ~1.9x the p99 of one."""
    raw = [1.0 + 19.0 * n / 9_999 for n in range(10_000)]

    (row,) = two_crossings_p99(raw, "x")

    assert row.ratio == pytest.approx(1.9, abs=0.05)


def test_without_enough_raw_samples_there_is_no_crossings_row():
    assert two_crossings_p99([10.0] * 10, "x") == []
