"""What the modules still to take cost once some are recognised (zll.platform.recognition)."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from zll.platform.recognition import remaining_price, remaining_workload


def module(module_id: str, hours: float) -> dict[str, Any]:
    return {"module_id": module_id, "title": module_id, "workload_hours": hours}


COURSE = [module("m1", 20), module("m2", 40), module("m3", 30)]


def test_the_course_price_is_shared_out_by_workload() -> None:
    assert remaining_price(900, COURSE, ["m2"]) == 500  # 50 of 90 hours
    assert remaining_workload(COURSE, ["m2"]) == 50


def test_nothing_recognised_here_costs_the_course_price() -> None:
    assert remaining_price(480, COURSE, []) == 480
    assert remaining_price(480, COURSE, ["not-a-module-here"]) == 480


def test_everything_recognised_costs_nothing() -> None:
    assert remaining_price(900, COURSE, ["m1", "m2", "m3"]) == 0


courses = st.lists(
    st.floats(min_value=0.5, max_value=500, allow_nan=False), min_size=1, max_size=8
).map(lambda hours: [module(f"m{i}", h) for i, h in enumerate(hours)])


@given(courses, st.floats(min_value=0, max_value=10_000, allow_nan=False), st.data())
def test_what_is_recognised_and_what_remains_add_up_to_the_course_price(
    modules: list[dict[str, Any]], price: float, data: st.DataObject
) -> None:
    ids = [m["module_id"] for m in modules]
    recognised = data.draw(st.sets(st.sampled_from(ids)))
    rest = set(ids) - recognised
    paid = remaining_price(price, modules, recognised)
    assert 0 <= paid <= round(price, 2)
    assert abs(paid + remaining_price(price, modules, rest) - price) <= 0.011


@given(courses, st.floats(min_value=0, max_value=10_000, allow_nan=False), st.data())
def test_recognising_one_more_module_never_costs_more(
    modules: list[dict[str, Any]], price: float, data: st.DataObject
) -> None:
    ids = [m["module_id"] for m in modules]
    recognised = data.draw(st.sets(st.sampled_from(ids)))
    more = recognised | {data.draw(st.sampled_from(ids))}
    assert remaining_price(price, modules, more) <= remaining_price(price, modules, recognised)
