"""Helpers the tests share: how a partner publishes, how events reach a service in-process."""
