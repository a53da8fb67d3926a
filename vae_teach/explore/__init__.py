"""Explorers: one call each; a self-contained HTML/JS view that runs with no Python behind it."""
