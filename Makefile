# Linli — two commands: `make run` (set up + demo portal) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Workers for the test suite: both cores by default (pytest-xdist).
TEST_WORKERS ?= 2

.PHONY: run test install migrate seed lint messages bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

migrate: install
	mkdir -p var
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	$(PY) manage.py collectstatic --noinput -v0
	HOST=$(HOST) PORT=$(PORT) $(PY) -m governance.run_embedded

test: install
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy governance households workorders tests

# Re-extract and compile translations after changing strings (needs GNU gettext on the machine);
# the compiled .mo files are committed so a fresh clone needs no gettext.
APP_CATALOGUES := governance households households/care workorders
messages: install
	for d in $(APP_CATALOGUES); do (cd $$d && $(CURDIR)/$(PY) $(CURDIR)/manage.py makemessages -l zh_Hans --no-obsolete); done
	$(PY) manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore=.venv --ignore=var \
	    --ignore=households --ignore=workorders --ignore=tests --ignore=bench \
	    --ignore=governance/templates --ignore=governance/locale
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var

bench: install
	DATABASE_URL=$${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/linli_bench} $(PY) -m bench $(BENCH)

clean:
	rm -rf var
