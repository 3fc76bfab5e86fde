# The commands a reader or a contributor types. `make help` lists them.
# `make book` and `make test` set everything up themselves on a fresh clone.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
JB     := $(VENV)/bin/jupyter-book
READY  := $(VENV)/.installed
PORT   ?= 8000

# Every file of the library, and its folder (whose time changes when a file is
# added or removed). When any is newer than the last build, the execution cache
# and Sphinx's saved doctrees (of every edition) are cleared, so that every
# chapter is read and executed again: no page shows output of an older library.
LIBRARY      := code/binary_gumbel $(shell find code -name '*.py' -not -path '*/__pycache__/*')
LIBRARY_SEEN := _build/.library-seen

.DEFAULT_GOAL := help
.PHONY: help book book-student pdf test lint format lab lab-links serve clean browser-deps timings audit

help: ## List the commands.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# (Re)create the virtual environment when it is missing or older than the pins,
# then (re)install the library in editable mode when its packaging changes.
PINNED := $(VENV)/.pinned

$(PINNED): requirements.txt
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(READY): $(PINNED) pyproject.toml
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(LIBRARY_SEEN): $(LIBRARY) | $(READY)
	@echo "The library is newer than the last build: every chapter will be executed again."
	rm -rf _build/.jupyter_cache _build/.results_cache $(wildcard _build/.doctrees _build/*/.doctrees)
	@mkdir -p _build && touch $@

# Sphinx writes only the pages whose source changed, and copies the static files
# only when it writes a page: a changed style sheet, template or extension alone
# would not reach the site. When one is newer than the last build, Sphinx's
# saved doctrees are cleared, so every page is read (from the execution cache,
# nothing runs again) and written.
SITE      := $(wildcard _static/* _templates/* _ext/*.py)
SITE_SEEN := _build/.site-seen

$(SITE_SEEN): $(SITE) | $(READY)
	@echo "A style sheet, template or extension changed: every page will be written again."
	rm -rf $(wildcard _build/.doctrees _build/*/.doctrees)
	@mkdir -p _build && touch $@

book: $(READY) $(LIBRARY_SEEN) $(SITE_SEEN) ## Build the HTML book into _build/html.
	$(JB) build . -W -n --keep-going
	@echo
	@$(PY) tools/timings.py
	@echo
	@echo "The book is built. Open file://$(CURDIR)/_build/html/index.html"
	@echo "or run 'make serve' and browse http://127.0.0.1:$(PORT)/"

# The other editions reuse the execution cache of `make book`: nothing runs twice.
STUDENT_HTML := _build/student/html
PRINT_HTML   := _build/pdf/singlehtml
PDF          := _build/pdf/book.pdf

book-student: $(READY) $(LIBRARY_SEEN) $(SITE_SEEN) ## Build the student edition (no solutions) into _build/student/html.
	$(PY) tools/build_edition.py student $(STUDENT_HTML)
	@echo "The student edition is built. Open file://$(CURDIR)/$(STUDENT_HTML)/index.html"

pdf: $(READY) $(LIBRARY_SEEN) $(SITE_SEEN) browser-deps ## Print the whole book to _build/pdf/book.pdf (Chromium, no LaTeX).
	$(PY) tools/build_edition.py print $(PRINT_HTML)
	$(PY) tools/print_pdf.py $(PRINT_HTML) $(PDF)

lint: $(READY) ## Check style with ruff.
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(READY) ## Format the chapters' code cells with ruff at the book's code width (75).
	$(PY) tools/format_code_cells.py

# The browser tests need Chromium (and the PDF tests poppler's pdftotext).
# As root they are installed; otherwise those tests are skipped, loudly
# (and under CI=true a missing browser fails the run instead).
browser-deps:
	@if command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1; then \
	  :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Chromium and poppler-utils for the browser tests."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils; \
	else \
	  echo "************************************************************"; \
	  echo "* Chromium or pdftotext is missing and this user cannot    *"; \
	  echo "* install them: the browser and PDF tests will be SKIPPED. *"; \
	  echo "* Install them with: apt-get install chromium poppler-utils *"; \
	  echo "************************************************************"; \
	fi

# The student edition and the PDF are built side by side (one core each): both
# only read the execution cache that `make book` filled, each into its own folder.
test: book lint browser-deps ## Build the book, then run ruff and every test.
	@if command -v chromium >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory -j2 --output-sync=target book-student pdf; \
	else \
	  echo "No Chromium: the PDF is not printed, and its tests will be SKIPPED."; \
	  $(MAKE) --no-print-directory book-student; \
	fi
	$(PY) -m pytest -n auto --dist loadfile --durations=15

# JupyterLab opens the MyST chapters as notebooks (jupytext) by default, through
# the overrides file it reads from the environment's settings folder, and
# renders their directives with jupyterlab-myst. A link from one chapter to
# another opens that chapter the same way, at its anchor: the book's own
# prebuilt extension (tools/lab-links/, built output in its labextension/
# folder) is copied into the environment's extensions folder.
# LAB_ARGS adds options to the server's command line (the browser test starts
# it with `make lab LAB_ARGS="--no-browser --port=..."`).
LAB_OVERRIDES  := $(VENV)/share/jupyter/lab/settings/overrides.json
LAB_EXTENSIONS := $(VENV)/share/jupyter/labextensions
LAB_LINKS      := $(LAB_EXTENSIONS)/binary-gumbel-lab-links/package.json
LAB_LINKS_SRC  := $(shell find tools/lab-links/labextension -type f 2>/dev/null)
LAB_ARGS       ?=

$(LAB_OVERRIDES): tools/jupyterlab-overrides.json | $(READY)
	mkdir -p $(@D) && cp $< $@

$(LAB_LINKS): $(LAB_LINKS_SRC) | $(READY)
	rm -rf $(@D) && mkdir -p $(@D) && cp -R tools/lab-links/labextension/. $(@D)/

# Rebuild tools/lab-links/labextension/ from tools/lab-links/lib/index.js with
# the builder pinned in its package-lock.json (needs Node.js and npm; the built
# output is committed, so `make lab` needs neither). node_modules/ is removed
# after, so that the book's build never walks it.
lab-links: $(READY) ## Rebuild the JupyterLab extension for links between chapters.
	cd tools/lab-links && npm ci --no-audit --no-fund && rm -rf labextension && \
	  node node_modules/@jupyterlab/builder/lib/build-labextension.js \
	    --core-path "$$($(abspath $(PY)) -c 'import jupyterlab, os; print(os.path.join(os.path.dirname(jupyterlab.__file__), "staging"))')" . && \
	  rm -rf node_modules

lab: $(READY) $(LAB_OVERRIDES) $(LAB_LINKS) ## Open the chapters as notebooks in JupyterLab.
	$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=$(CURDIR) \
	  --LabApp.default_url=/lab/tree/chapters $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

timings: $(READY) ## Print each page's execution time and the total (after make book).
	@$(PY) tools/timings.py

audit: $(READY) ## Run the chapters with other seeds and other last bits; list the words that change.
	$(PY) tools/audit_robustness.py $(AUDIT_ARGS)

serve: ## Serve the built book on http://127.0.0.1:$(PORT)/.
	@test -f _build/html/index.html || { echo "No book yet: run 'make book' first."; exit 1; }
	$(PYTHON) -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

clean: ## Remove the build and the execution cache.
	rm -rf _build
