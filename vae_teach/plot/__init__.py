"""Figures: images, curves, charts, latent maps, diagrams and tables, drawn one way throughout the book."""
