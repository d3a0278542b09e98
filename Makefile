# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=
# Test files are shared out to this many worker processes (pytest-xdist); 1 runs in one.
TEST_WORKERS ?= 2
BABEL_ARGS := -F babel.cfg --no-default-keywords -k msg -k N_ -k nmsg:1,2 -k locale_str -k _ --no-location --omit-header --sort-output \
	--add-comments=TRANSLATORS: --ignore-dirs=render

.PHONY: run test lint migrate demo bench messages catalogues clean help

help:
	@echo "make run    - install, migrate the embedded database, run the bot"
	@echo "make test   - install dev dependencies and run the whole test suite"
	@echo "make lint   - ruff and mypy"
	@echo "make bench  - run the benchmarks (JSON lines)"
	@echo "make messages - re-extract the English catalogue locale/messages.pot and merge"
	@echo "                it into every translation (new texts arrive empty, to translate)"
	@echo "make catalogues - compile the translations (.po) to .mo (optional: a missing or"
	@echo "                older .mo is compiled from the .po at first use)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

run: $(VENV)/.installed catalogues
	$(BIN)/deltacrown migrate
	$(BIN)/deltacrown run

migrate: $(VENV)/.installed
	$(BIN)/deltacrown migrate

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile --timeout 600 $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks

# The English catalogue: every msg("…") / N_("…") / nmsg(…) template in the engine and
# the surfaces (cogs, bot, dashboard), merged into every translation.
messages: $(VENV)/.installed-dev
	$(BIN)/python -m bot.command_texts
	$(BIN)/pybabel extract $(BABEL_ARGS) -o locale/messages.pot engine cogs bot dashboard
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -w 88 \
		-i locale/messages.pot -d locale -D messages

# The translations compiled for gettext (locale/<lang>/LC_MESSAGES/messages.mo).
catalogues: $(VENV)/.installed
	$(BIN)/python -m engine.kernel.i18n compile

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
