# Two commands do all the setup on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SAMPLE := src/linkpedia/data/sample
DEMO := demo-out

.PHONY: demo test install install-all clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.core: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.all: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[all]'
	touch $@ $(VENV)/.core

install: $(VENV)/.core
install-all: $(VENV)/.all

demo: $(VENV)/.core
	$(BIN)/linkpedia build $(SAMPLE)/sample-wiki.xml --out $(DEMO)/sample-kb
	$(BIN)/linkpedia info $(DEMO)/sample-kb
	$(BIN)/linkpedia link $(SAMPLE)/sample-text.txt --kb $(DEMO)/sample-kb --policy first \
		--title "$$(cat $(SAMPLE)/sample-text.title)" --format seed
	$(BIN)/linkpedia link $(SAMPLE)/sample-text.txt --kb $(DEMO)/sample-kb --policy first \
		--title "$$(cat $(SAMPLE)/sample-text.title)" --format html --output $(DEMO)/sample.html
	@echo
	@echo "HTML page written to $(DEMO)/sample.html"

test: $(VENV)/.all
	$(BIN)/python -m pytest -q

clean:
	rm -rf $(DEMO) .pytest_cache test-artifacts
