"""The cooperative's rules: consortia for calls, project states, the region's report."""
