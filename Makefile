# planwatch: `make run` and `make test` are the two commands; see README.md.
PYTHON ?= python3.11
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

venv: $(VENV)/.installed

sysdeps:
	bash scripts/system-deps.sh

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
