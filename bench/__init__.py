"""`make bench`: performance figures, each a ratio to a baseline measured in the same run."""
