# Factpipe: `make extract` and `make test` work on a fresh clone with nothing installed by hand.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.factpipe-installed
CORPUS ?= corpus
OUT    ?= output

.PHONY: setup extract lint test bench clean screenshots review

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,dask]'
	touch $(STAMP)

extract: setup
	$(BIN)/factpipe extract $(CORPUS) --out $(OUT)

lint: setup
	$(BIN)/ruff check pipeline tests bench scripts

test: setup lint
	$(BIN)/python -m pytest -q

# the review app in headless chromium: output/review-conflicts.png, output/review-facts-filtered.png
screenshots: setup
	$(BIN)/python scripts/review_screenshots.py --shots $(OUT)

review: setup
	$(BIN)/factpipe review $(OUT) --serve

bench: setup
	$(BIN)/python bench/bench.py

clean:
	rm -rf $(VENV) $(OUT)/*.json $(OUT)/*.html $(OUT)/report.md $(OUT)/*.md.tmp
	# reviewers' decisions (OUT/decisions.jsonl for a run of files) are kept
	find $(OUT) -maxdepth 1 -name '*.jsonl' ! -name decisions.jsonl -delete 2>/dev/null || true
