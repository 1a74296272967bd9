"""chatui: a terminal chat client with one merged inbox across accounts."""

__version__ = "0.1.0"
