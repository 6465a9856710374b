"""Figures and widgets for the notebook on training (filled in with that notebook)."""
