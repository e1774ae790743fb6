"""Formatting for ticket pages; the functions live in ``lib.formatting``."""

from lib.formatting import describe_due

__all__ = ["describe_due"]
