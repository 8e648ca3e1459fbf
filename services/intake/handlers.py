"""What intake does with the events it consumes: it learns the region's catalogue."""

from __future__ import annotations

from services.intake import catalogue
from zll.platform.consumer import handlers

# Imports arrive over HTTP or from feeds; the catalogue is learnt for the exports back out.
HANDLERS = handlers(*catalogue.HANDLERS)
