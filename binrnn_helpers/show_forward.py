"""Figures and widgets for the notebook on forward (filled in with that notebook)."""
