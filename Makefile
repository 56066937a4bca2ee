# Chorus: two commands. Each creates .venv when missing and installs into it (fast when done).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.chorus-installed

export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export GX_ANALYTICS_ENABLED := False
export DO_NOT_TRACK := 1

.PHONY: demo test quick attack ui bench lint clean

# The pinned versions install with uv (itself pinned): about 28 s where pip takes about 87 s on
# this 2-core machine, the same versions (docs/scaling.md). uv reads PyPI and none of pip's
# configuration (a local mirror, find-links, a proxy's certificate): where uv cannot be
# installed or cannot install, pip does it as before, with its configuration.
UV_VERSION := 0.13.9
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@($(BIN)/python -m pip install --quiet uv==$(UV_VERSION) && \
		$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[dev]') || \
	(echo "uv $(UV_VERSION) could not install Chorus: pip installs it instead (slower)" && \
		$(BIN)/python -m pip install --quiet -e '.[dev]')
	@# Smoke test (an unpinned install can fall back to a dagster-dbt that fails on import),
	@# then dbt's manifest, in one process.
	$(BIN)/python -c "import dagster, dagster_dbt, dbt.version, great_expectations; \
		from orchestration.dbt_setup import prepare_manifest; prepare_manifest(force=True)"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/chorus demo

# The accessibility test drives Debian's chromium (never a downloaded browser).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		apt-get install -y -q chromium >/dev/null 2>&1 || \
		(apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null); \
	else echo "chromium is missing: install it (apt-get install chromium) for the accessibility test"; fi

# The mixed-period packs' test reads a pack's laid-out text with poppler's pdftotext (found on
# PATH, as the test looks for it).
.PHONY: pdftotext
pdftotext:
	@if command -v pdftotext >/dev/null; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		apt-get install -y -q poppler-utils >/dev/null 2>&1 || \
		(apt-get update -q >/dev/null && apt-get install -y -q poppler-utils >/dev/null 2>&1) || \
		echo "apt-get could not install poppler-utils: the pack test that needs pdftotext will skip"; \
	else echo "pdftotext is missing: install it (apt-get install poppler-utils) for a pack test"; fi

# The test files run in parallel, one worker per core (PYTEST_WORKERS=0 for one process): a
# file stays on one worker, so its module fixtures (a pipeline run each) run once.
PYTEST_WORKERS ?= auto
test: $(STAMP) $(CHROMIUM) pdftotext
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile --durations=40

# The tests of logic alone, for a loop of a few minutes while changing code: every test but
# those that run Chorus end to end or read such a run, those whose own work takes more than
# about five seconds, and those that drive chromium (tests/tiers.py). `make test` runs them
# all, as CI does.
quick: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadfile -m "not pipeline and not slow and not browser" \
		--durations=10 -p no:cacheprovider

# The disclosure attack on many more generated cohorts than `make test` runs (10), with the
# completeness search and the end-to-end run's files: prints cohorts, cells attacked and the
# narrowest range found. CHORUS_ATTACK_EXAMPLES=N to change how many.
ATTACK_EXAMPLES ?= 200
attack: $(STAMP)
	CHORUS_ATTACK_EXAMPLES=$${CHORUS_ATTACK_EXAMPLES:-$(ATTACK_EXAMPLES)} $(BIN)/pytest -q -s \
		-p no:cacheprovider tests/test_disclosure_attack.py \
		tests/test_disclosure_completeness.py tests/test_disclosure_published.py

ui: $(STAMP)
	$(BIN)/chorus ui

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf data output dbt_project/target dbt_project/logs
