# binrnn: `make lab` to study, `make test` to check everything.  Both create .venv when missing,
# with the package versions the tests passed with (tools/constraints.txt; `make upgrade` moves them).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
CONSTRAINTS := tools/constraints.txt
# Scratch space for caches and kernels started by tests, so nothing lands in $HOME or the repo.
SCRATCH := $(or $(TMPDIR),/tmp)/binrnn-scratch
AS_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9][0-9]_*.ipynb))

.PHONY: lab test test-simd-off execute benchmark clean test-browser binder-check upgrade

$(STAMP): pyproject.toml $(CONSTRAINTS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -c $(CONSTRAINTS) pip
	$(PY) -m pip install --quiet -c $(CONSTRAINTS) -e '.[lab,test]'
	@touch $(STAMP)

# Quiet caches for everything that runs code under test.
test test-simd-off execute benchmark test-browser binder-check: export MPLCONFIGDIR := $(SCRATCH)/mpl
test test-simd-off execute benchmark test-browser binder-check: export IPYTHONDIR := $(SCRATCH)/ipython
test test-simd-off execute benchmark test-browser binder-check: export JUPYTER_CONFIG_DIR := $(SCRATCH)/jupyter-config
test test-simd-off execute benchmark test-browser binder-check: export JUPYTER_DATA_DIR := $(SCRATCH)/jupyter-data
test test-simd-off execute benchmark test-browser binder-check: export JUPYTER_RUNTIME_DIR := $(SCRATCH)/jupyter-runtime
test test-simd-off execute benchmark test-browser binder-check: export PYTHONPYCACHEPREFIX := $(SCRATCH)/pycache
test test-simd-off execute benchmark test-browser binder-check: export PYDEVD_DISABLE_FILE_VALIDATION := 1

# JupyterLab opens on the first notebook, rooted at the repository as on Binder (so the notebooks'
# links to ../docs work).  tools/jupyterlab_overrides.json goes where JupyterLab reads its default
# settings (<sys.prefix>/share/jupyter/lab/settings): no news prompt to dismiss.
lab: $(STAMP)
	@mkdir -p $(VENV)/share/jupyter/lab/settings
	@cp tools/jupyterlab_overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	$(VENV)/bin/jupyter lab $(AS_ROOT) --ServerApp.root_dir=. notebooks/00_start_here.ipynb

# Unit tests, then every notebook executed and compared with its saved outputs (nbval).
test: $(STAMP)
	$(PY) -m pytest -n 2 --dist loadfile tests $(if $(NOTEBOOKS),--nbval $(NOTEBOOKS))

# The same again with numpy's SIMD dispatch switched off (tools/numpy_dispatch.py): floats then
# round differently in the last bits, as on another CPU, and nothing may depend on those bits.
test-simd-off: $(STAMP)
	export NPY_DISABLE_CPU_FEATURES="$$($(PY) tools/numpy_dispatch.py)" && \
	$(PY) tools/numpy_dispatch.py --off && \
	$(PY) -m pytest -n 2 --dist loadfile tests $(if $(NOTEBOOKS),--nbval $(NOTEBOOKS))

# Re-run every notebook top to bottom and save it with outputs and widget state.
execute: $(STAMP)
	$(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=300 $(NOTEBOOKS)

benchmark: $(STAMP)
	$(PY) benchmarks/train_speed.py

clean:
	rm -rf $(VENV) $(SCRATCH)

# Move every pinned version forward: a fresh .venv with the newest releases pyproject.toml allows,
# then tools/constraints.txt and environment.yml's pins rewritten from it, then everything re-run.
# Read the diff of the notebooks and the pins before committing.
upgrade:
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[lab,test,browser]'
	$(PY) tools/pin_versions.py
	@touch $(STAMP) $(BROWSER_STAMP)
	$(MAKE) execute test test-simd-off test-browser binder-check

# --- The series in a real JupyterLab, in a real browser, and as Binder would build it ---------
CHROMIUM ?= /usr/bin/chromium
BROWSER_STAMP := $(VENV)/.installed-browser

$(BROWSER_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -c $(CONSTRAINTS) -e '.[lab,test,browser]'
	@touch $(BROWSER_STAMP)

# Every notebook opened in JupyterLab in Chromium (driven by Playwright): Run All, no errors,
# every widget and figure shown, every scrubber moved with keyboard and mouse.
# Screenshots and logs of failures: artifacts/browser/.  Kept fast (under 3 minutes on 2 cores):
# no nbval plugin (unused here; importing it costs ~3 s), and bytecode written to the scratch
# PYTHONPYCACHEPREFIX even when PYTHONDONTWRITEBYTECODE is set (else every process compiles
# every module it imports, every time).
test-browser:
	@test -x $(CHROMIUM) || { echo "make test-browser needs Chromium at $(CHROMIUM): install it with 'apt-get install chromium' (Debian/Ubuntu), or set CHROMIUM=/path/to/chromium"; exit 1; }
	@$(MAKE) --no-print-directory $(BROWSER_STAMP)
	BINRNN_BROWSER=1 BINRNN_CHROMIUM=$(CHROMIUM) PYTHONDONTWRITEBYTECODE= $(PY) -m pytest -p no:xdist -p no:nbval tests/browser

# What Binder does, as far as this machine allows: a fresh venv with exactly environment.yml's
# packages (pip, this machine's python3), then postBuild, then every notebook executed in it.
binder-check:
	PIP_CACHE_DIR=$(SCRATCH)/pip $(PYTHON) .ci/binder_check.py

# Classroom mode (tools/classroom.py; docs/teaching-guide.md).
.PHONY: slides pages student slides-metadata check-slides
slides pages student slides-metadata check-slides: export JUPYTER_CONFIG_DIR := $(SCRATCH)/jupyter-config
slides pages student slides-metadata check-slides: export JUPYTER_DATA_DIR := $(SCRATCH)/jupyter-data
slides pages student slides-metadata check-slides: export PYTHONPYCACHEPREFIX := $(SCRATCH)/pycache
# One reveal.js deck per notebook in build/slides/, everything it loads bundled beside it
# (npm tarballs cached in build/.cache/npm), so the decks open and step through offline.
slides: $(STAMP)
	$(PY) tools/classroom.py slides $(NOTEBOOKS)

# One static HTML page per notebook in build/pages/, for readers without Jupyter: saved outputs,
# scrubbers that switch frames with no kernel, everything bundled as for the decks.
pages: $(STAMP)
	$(PY) tools/classroom.py pages $(NOTEBOOKS)

# The student edition in build/student/: the notebooks without solutions or answers, the package,
# environment.yml and postBuild.  BINDER=owner/name points its badges at its own repository.
student: $(STAMP)
	rm -rf build/student
	$(PY) tools/classroom.py student build/student $(NOTEBOOKS) $(if $(BINDER),--binder $(BINDER))

# Write the slide types (slide / subslide / fragment / skip / notes) into the notebooks; only
# cell metadata "slideshow" changes; idempotent.  Re-run after editing a notebook.  The check
# after it reports cells too tall for any slide (for the notebook's author) without failing.
slides-metadata: $(STAMP)
	$(PY) tools/classroom.py assign-slides $(NOTEBOOKS)
	-$(PY) tools/classroom.py check-slides $(NOTEBOOKS)

check-slides: $(STAMP)
	$(PY) tools/classroom.py check-slides $(NOTEBOOKS)
