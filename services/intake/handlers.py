"""What intake does with the events it consumes: nothing yet (it only publishes)."""

from __future__ import annotations

from zll.platform.consumer import handlers

# Imports arrive over HTTP; feeds and report notifications would add handlers here.
HANDLERS = handlers()
