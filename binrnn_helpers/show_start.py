"""Figures and widgets for the notebook on start (filled in with that notebook)."""
