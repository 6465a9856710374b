"""The browser test: the series in a real JupyterLab, in a real Chromium (make test-browser)."""
