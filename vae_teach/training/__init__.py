"""Training: ``fit`` and its History, the model cache (``cached_fit``), checkpoints."""
