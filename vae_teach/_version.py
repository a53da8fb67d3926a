"""The package version: part of every model cache key."""

__version__ = "0.5.0"
