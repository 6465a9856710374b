"""Figures and widgets for the notebook on backprop (filled in with that notebook)."""
