"""Figures and widgets for the notebook on encoding (filled in with that notebook)."""
