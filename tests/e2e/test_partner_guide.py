"""The README's "Join as a partner" examples, run as written against the region.

A partner copies these blocks; if one stops working (a renamed topic, a header the region
now insists on, a librdkafka setting the dev broker refuses), this test says so first.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.support.partner import course, publish_binary
from zll.devstack.stack import DevStack
from zll.platform.auth import mint_token
from zll.platform.settings import Settings

pytestmark = pytest.mark.e2e

README = Path(__file__).resolve().parents[2] / "README.md"
PROVIDER = "vhs-region-kassel"  # the examples' own provider
EXAMPLE = re.compile(r"<!-- partner-example: (\w+) -->\n```python\n(.*?)```", re.DOTALL)


def examples() -> dict[str, str]:
    return dict(EXAMPLE.findall(README.read_text(encoding="utf-8")))


def run(region: DevStack, name: str) -> str:
    """One example as a partner runs it: its own process, only the broker's address given."""
    env = {**os.environ, "ZLL_KAFKA_BOOTSTRAP": region.bootstrap}
    done = subprocess.run(
        [sys.executable, "-c", examples()[name]], env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def registered(region: DevStack) -> None:
    token = mint_token(Settings(), role="operator", sub="ops")
    answer = httpx.put(
        f"{region.layout.url('catalog')}/providers/{PROVIDER}",
        json={"name": "Volkshochschule Region Kassel", "kind": "volkshochschule",
              "municipality": "Kassel"},
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text


def shown(region: DevStack, course_id: str, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while httpx.get(f"{region.layout.url('catalog')}/courses/{course_id}").status_code != 200:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def test_the_guide_has_its_three_examples() -> None:
    assert set(examples()) == {"publish_confluent", "publish_aiokafka", "read_feedback"}


@pytest.mark.parametrize(
    ("example", "course_id"),
    [("publish_confluent", "excel-2027-02"), ("publish_aiokafka", "excel-2027-03")],
)
def test_a_course_published_as_the_guide_shows_is_in_the_catalogue(
    region: DevStack, registered: None, example: str, course_id: str
) -> None:
    run(region, example)
    assert shown(region, f"{PROVIDER}:{course_id}")


async def test_the_feedback_reader_shows_a_refusal_once(region: DevStack, registered: None) -> None:
    bad = course(f"bad-{uuid.uuid4().hex[:6]}", provider=PROVIDER)
    bad["modules"][0]["eqf_level"] = 9
    await publish_binary(
        region.bootstrap, bad, source=f"/providers/{PROVIDER}", ce_id=str(uuid.uuid4())
    )
    printed = ""
    for _ in range(6):  # the refusal takes a moment to be decided and published
        printed += run(region, "read_feedback")
        if bad["course_id"] in printed:
            break
    assert f"{bad['course_id']} Modul 1: Das EQF-Niveau" in printed
    assert bad["course_id"] not in run(region, "read_feedback"), "read twice: offsets ignored"
