# binrnn: `make lab` to study, `make test` to check everything.  Both create .venv when missing.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# Scratch space for caches and kernels started by tests, so nothing lands in $HOME or the repo.
SCRATCH := $(or $(TMPDIR),/tmp)/binrnn-scratch
AS_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))

.PHONY: lab test execute benchmark clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[lab,test]'
	@touch $(STAMP)

# Quiet caches for everything that runs code under test.
test execute benchmark: export MPLCONFIGDIR := $(SCRATCH)/mpl
test execute benchmark: export IPYTHONDIR := $(SCRATCH)/ipython
test execute benchmark: export JUPYTER_CONFIG_DIR := $(SCRATCH)/jupyter-config
test execute benchmark: export JUPYTER_DATA_DIR := $(SCRATCH)/jupyter-data
test execute benchmark: export JUPYTER_RUNTIME_DIR := $(SCRATCH)/jupyter-runtime
test execute benchmark: export PYTHONPYCACHEPREFIX := $(SCRATCH)/pycache
test execute benchmark: export PYDEVD_DISABLE_FILE_VALIDATION := 1

lab: $(STAMP)
	$(VENV)/bin/jupyter lab $(AS_ROOT) notebooks/

# Unit tests, then every notebook executed and compared with its saved outputs (nbval).
test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile tests $(if $(NOTEBOOKS),--nbval $(NOTEBOOKS))

# Re-run every notebook top to bottom and save it with outputs and widget state.
execute: $(STAMP)
	$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=300 $(NOTEBOOKS)

benchmark: $(STAMP)
	$(PY) benchmarks/train_speed.py

clean:
	rm -rf $(VENV) $(SCRATCH)
