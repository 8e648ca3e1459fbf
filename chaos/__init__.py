"""Chaos runs: faults injected under steady load, then the contract's invariants checked."""
