# planwatch: `make run` and `make test` are the two commands; see README.md.
# Debian's own CPython 3.11 (/usr/bin/python3.11) is built with profile-guided and
# link-time optimisation; a python3.11 compiled from source without
# --enable-optimizations (pyenv's default) runs the parser and the web app 10-20% slower
# (docs/docparse.md, "Speed"). Use Debian's where it is installed.
PYTHON ?= $(firstword $(wildcard /usr/bin/python3.11) python3.11)
VENV   := .venv
PY     := $(VENV)/bin/python
SHARED ?= ../shared
export PLANWATCH_SHARED := $(abspath $(SHARED))
# Where `make run` serves the application.
BIND   ?= 127.0.0.1:8000

.PHONY: run test bench sysdeps venv clean

# The stamp is remade whenever pyproject.toml changes, so `make` reinstalls only then.
$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# A venv made from another interpreter than $(PYTHON) is made again.
venv:
	@if [ -x $(PY) ] && [ "$$(readlink -f $(PY))" != "$$(readlink -f "$$(command -v $(PYTHON))")" ]; then \
	  echo "$(VENV) runs $$(readlink -f $(PY)), not $(PYTHON): making it again"; rm -rf $(VENV); fi
	@$(MAKE) --no-print-directory $(VENV)/.installed

sysdeps:
	PYTHON=$(PYTHON) bash scripts/system-deps.sh

# Every step is idempotent: a second `make run` keeps the data of the first.
run: sysdeps venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py loaddemo
	$(PY) scripts/serve.py --bind $(BIND)

# The test folders that use the database (pytest's --ignore does not apply to testpaths).
DB_TESTS := accounts/tests directory/tests plans/tests reporting/tests audit/tests monitoring/tests planwatch/tests

# The whole suite on the embedded SQLite, then every test that touches the database
# again on a throwaway PostgreSQL (docparse has no database).
test: sysdeps venv
	$(PY) -m pytest -n 2 -p xdist
	bash scripts/with-postgres.sh $(PY) -m pytest -n 2 -p xdist $(DB_TESTS)

bench: sysdeps venv
	$(PY) bench/run.py --out bench/results.json

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
