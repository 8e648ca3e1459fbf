"""One LISTEN helper: nothing but zll/platform/listening.py holds a LISTEN connection itself."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HELPER = ROOT / "zll" / "platform" / "listening.py"


def test_only_the_listening_helper_calls_add_listener() -> None:
    callers = [
        str(path.relative_to(ROOT))
        for folder in ("zll", "services")
        for path in (ROOT / folder).rglob("*.py")
        if path != HELPER and ".add_listener(" in path.read_text()
    ]
    assert callers == [], "use zll.platform.listening.listen: one reconnect policy for all"
