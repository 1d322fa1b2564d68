# Two commands matter: `make run` and `make test`. Everything else is a step of theirs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

export DEBUG ?= 1
export SITE_URL ?= http://$(HOST):$(PORT)
# The public log's checkpoints are signed with this development key unless LEDGER_SIGNING_KEY
# is set; `make demo` makes it once.
export LEDGER_SIGNING_KEY_FILE ?= var/ledger-dev.key

.PHONY: install run serve test lint format messages gettext cairo chromium wrk screenshot demo bench clean

install: $(VENV)/.installed cairo

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

# Debian packages the commands below need, installed only when missing.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends

# compilemessages needs msgfmt.
gettext:
	@command -v msgfmt >/dev/null || { $(APT_INSTALL) gettext; }

# The bench measures served pages with wrk; the suite runs the bench at a tiny scale.
wrk:
	@command -v wrk >/dev/null || { $(APT_INSTALL) wrk; }

# The share images are rendered by CairoSVG, which loads Debian's libcairo2, in DejaVu Sans
# (which has Cyrillic), found through fontconfig.
cairo:
	@{ /sbin/ldconfig -p 2>/dev/null | grep -q 'libcairo\.so\.2' && fc-list 2>/dev/null | grep -q 'DejaVu Sans'; } \
		|| { $(APT_INSTALL) libcairo2 fontconfig fonts-dejavu-core; }

# The browser tests drive Debian's Chromium; Playwright never downloads a browser.
chromium:
	@test -x /usr/bin/chromium || { $(APT_INSTALL) chromium fonts-dejavu-core; }

messages: install gettext
	@if ls locale/*/LC_MESSAGES/django.po >/dev/null 2>&1; then $(MANAGE) compilemessages --ignore=.venv -v0; fi

demo: install messages
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) load_demo
	$(MANAGE) ensure_demo_staff
	@[ -n "$$LEDGER_SIGNING_KEY" ] || $(MANAGE) ledger_key --create $(LEDGER_SIGNING_KEY_FILE)
	$(MANAGE) ledger_checkpoint --reconcile

run: demo
	@echo "Serving on http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/). Ctrl-C stops."
	@echo "The alert sweep runs beside it every 30 s; e-mails are printed here."
	@echo "Cited sources are captured every 60 s and their links watched every 10 min."
	@trap 'kill $$alerts $$archive $$watch 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) alerts --loop --interval 30 & alerts=$$!; \
	$(MANAGE) archive_sources --loop --interval 60 & archive=$$!; \
	$(MANAGE) watch_sources --loop --interval 600 & watch=$$!; \
	$(MANAGE) runserver $(HOST):$(PORT)

# The suite runs in as many processes as the machine has cores (pytest-xdist), each
# with a database of its own; TEST_PROCESSES=0 runs it in this one. A process that runs out
# of tests takes some from one that still has many, so a few long tests at the end do not
# leave the other cores idle.
TEST_PROCESSES ?= auto

test: install messages chromium wrk
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest --numprocesses $(TEST_PROCESSES) --dist worksteal

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The README's pictures of the board, in English and Ukrainian and on a phone (needs Chromium), of
# the regions map, and of a share image, from the demo data.
screenshot: install messages chromium
	@command -v optipng >/dev/null || { $(APT_INSTALL) optipng; }
	$(BIN)/python docs/screenshots/board.py docs/board.png
	$(BIN)/python docs/screenshots/board.py docs/board-uk.png uk
	$(BIN)/python docs/screenshots/board.py docs/board-phone.png uk phone
	$(BIN)/python docs/screenshots/map.py docs/map.png
	$(BIN)/python docs/screenshots/card.py docs/card.png

# Measures the tracker against its own floor (BENCHMARKS.md): SQLite, or PostgreSQL when
# DATABASE_URL is set. BENCH_ARGS=--reuse keeps the data sets an earlier run built.
bench: install messages wrk
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache
