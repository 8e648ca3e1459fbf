"""Secondary suppression: no hidden count follows from the published totals by subtraction."""

from __future__ import annotations

from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st

from services.cooperative.domain.report import LEARNER_COUNTS, Cell, suppress_table
from services.cooperative.domain.suppression import Group, protect, revealed

PHASES = ("youth", "working-age", "retirement")
PLACES = ("Lemgo", "Detmold", "online")
FIELDS = ("S7", "S5")


def table(counts: dict[tuple[str, str, str], int]) -> list[tuple[str, Cell]]:
    """Cells and totals as the report has them; totals are exact sums (the worst case: a
    total that is less than the sum of its parts gives less away)."""

    def row(level: str, phase: str, place: str, field: str, n: int) -> tuple[str, Cell]:
        return level, Cell(phase, place, field, 1, 20, n, n, n, n)

    rows = [row("cell", *key, n) for key, n in counts.items()]
    for phase in PHASES:
        parts = [n for (p, _, _), n in counts.items() if p == phase]
        if parts:
            rows.append(row("life-phase", phase, "", "", sum(parts)))
    for place in PLACES:
        parts = [n for (_, m, _), n in counts.items() if m == place]
        if parts:
            rows.append(row("municipality", "", place, "", sum(parts)))
    rows.append(row("region", "", "", "", sum(counts.values())))
    return rows


def groups_of(rows: list[tuple[str, Cell]]) -> list[Group[int]]:
    """The equations an attacker reads off the report, written independently of the code."""
    cells = [i for i, (level, _) in enumerate(rows) if level == "cell"]
    out = []
    for i, (level, c) in enumerate(rows):
        if level == "life-phase":
            out.append(Group(i, tuple(j for j in cells if rows[j][1].life_phase == c.life_phase)))
        if level == "municipality":
            out.append(
                Group(i, tuple(j for j in cells if rows[j][1].municipality == c.municipality))
            )
        if level == "region":
            for kind in ("life-phase", "municipality", "cell"):
                out.append(Group(i, tuple(j for j, (lv, _) in enumerate(rows) if lv == kind)))
    return out


KEYS = list(product(PHASES, PLACES, FIELDS))
counts_strategy = st.dictionaries(
    st.sampled_from(KEYS), st.one_of(st.integers(0, 6), st.integers(0, 60)), min_size=1
)


@settings(max_examples=300)
@given(counts_strategy)
def test_no_hidden_count_can_be_recovered_from_the_totals_by_subtraction(
    counts: dict[tuple[str, str, str], int],
) -> None:
    rows = table(counts)
    out = suppress_table(rows)
    groups = groups_of(rows)
    for name in LEARNER_COUNTS:
        values = {i: getattr(c, name) for i, (_, c) in enumerate(rows)}
        hidden = {i for i, c in enumerate(out) if getattr(c, name) is None}
        assert revealed(values, hidden, groups) == {}
        for i, c in enumerate(out):
            shown = getattr(c, name)
            assert shown is None or not 0 < shown < 5  # primary still holds
            assert shown in (None, values[i])  # nothing published is changed
            assert c.suppressed == any(getattr(c, n) is None for n in LEARNER_COUNTS)


def test_a_row_with_one_small_cell_hides_its_next_smallest_cell_too() -> None:
    counts = {("youth", "Lemgo", "S7"): 3, ("youth", "Lemgo", "S5"): 40,
              ("youth", "Detmold", "S7"): 9, ("youth", "Detmold", "S5"): 12}  # fmt: skip
    rows = table(counts)
    out = suppress_table(rows)
    pairs = zip(rows, out, strict=True)
    shown = {(lv, c.municipality, c.field): c.participants for (lv, _), c in pairs}
    assert shown[("cell", "Lemgo", "S7")] is None  # 3 learners: primary
    # youth's total (64) minus the others would give the 3 back: 9, the smallest, goes too,
    assert shown[("cell", "Detmold", "S7")] is None
    # and then Detmold's total (21) would give the 9 back: 12 goes as well.
    assert shown[("cell", "Detmold", "S5")] is None
    # Lemgo's total (43) would give the 3 back too: its only other cell, 40, goes.
    assert shown[("cell", "Lemgo", "S5")] is None
    assert (shown[("life-phase", "", "")], shown[("municipality", "Lemgo", "")]) == (64, 43)
    # The portal tells the two apart: "unter 5" for the small one, "k. A." for the others.
    why = {(c.municipality, c.field): c.withheld for (lv, _), c in zip(rows, out, strict=True)
           if lv == "cell"}  # fmt: skip
    assert why[("Lemgo", "S7")] == ()
    assert why[("Detmold", "S7")] == LEARNER_COUNTS
    assert revealed({i: c.participants or 0 for i, (_, c) in enumerate(rows)},
                    {i for i, c in enumerate(out) if c.participants is None},
                    groups_of(rows)) == {}  # fmt: skip


def test_without_secondary_suppression_the_attack_recovers_the_small_cell() -> None:
    """The attacker in these tests is not toothless: primary suppression alone is beaten."""
    counts = {("youth", "Lemgo", "S7"): 3, ("youth", "Lemgo", "S5"): 40}
    rows = table(counts)
    values = {i: c.participants for i, (_, c) in enumerate(rows)}
    primary = {i for i, v in values.items() if v is not None and 0 < v < 5}
    assert 3 in revealed(values, primary, groups_of(rows)).values()  # type: ignore[arg-type]
    assert revealed(values, protect(values, primary, groups_of(rows)), groups_of(rows)) == {}  # type: ignore[arg-type]
