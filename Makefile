# planwatch: `make run` and `make test` are the two commands; see README.md.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
SHARED ?= ../shared
export PLANWATCH_SHARED := $(abspath $(SHARED))

.PHONY: run test bench sysdeps venv clean

# The stamp is remade whenever pyproject.toml changes, so `make` reinstalls only then.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

venv: $(VENV)/.installed

sysdeps:
	bash scripts/system-deps.sh

SEEDS := $(wildcard $(SHARED)/seeds/*.txt)

run: sysdeps venv
	@test -n "$(SEEDS)" || { echo "No seed documents in $(SHARED)/seeds (set SHARED=…)"; exit 1; }
	$(PY) -m docparse $(SEEDS)

test: sysdeps venv
	$(PY) -m pytest -n 2 -p xdist

bench: sysdeps venv
	$(PY) bench/run.py --out bench/results.json

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
