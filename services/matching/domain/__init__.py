"""Matching's rules, without I/O: allocation rounds, counselling, opportunities, placements,
regional demand, and the geography they share."""
