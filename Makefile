# The two commands: `make run` and `make test`. Everything else is set up by them.
UV_VERSION := 0.13.9
UV := .tools/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_FROZEN := 1

.PHONY: run test lint typecheck generate check-generated bench-quick wrk chromium client mutation

# A pinned uv in a private venv: nothing needs to be installed on the machine beforehand.
$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen
	touch $@

# The web client: packages exactly as locked (package-lock.json), then a build whenever a source changed.
CLIENT_SOURCES := $(shell find client/src client/public -type f 2>/dev/null) client/index.html client/vite.config.ts client/tsconfig.json

client/node_modules/.installed: client/package.json client/package-lock.json
	npm ci --prefix client --no-audit --no-fund --loglevel=error
	touch $@

client/dist/index.html: client/node_modules/.installed $(CLIENT_SOURCES)
	cd client && npm run --silent build

client: client/dist/index.html

run: .venv/.synced client
	$(UV) run rapport serve

lint: .venv/.synced
	$(UV) run ruff check .
	$(UV) run ruff format --check .

typecheck: .venv/.synced client/node_modules/.installed
	$(UV) run mypy
	cd client && npm run --silent typecheck

generate: .venv/.synced client/node_modules/.installed
	$(UV) run rapport generate

check-generated: .venv/.synced client/node_modules/.installed
	$(UV) run rapport generate --check

# The HTTP benchmark's load generator. Installed with apt-get where we can (root, as on CI); elsewhere
# its smoke test says how and is skipped.
wrk:
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		{ apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; }; } || \
		echo "wrk is not installed (apt-get install wrk): the HTTP benchmark's smoke test will be skipped"

# The browser tests' Chromium is Debian's (Playwright may not download its own here).
chromium:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		{ apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }; }; } || \
		{ echo "Chromium is needed for the browser tests: apt-get install chromium"; exit 1; }

test: lint typecheck check-generated wrk chromium client
	$(UV) run pytest

# Mutation testing of the domain core (pure decide/evolve) against the unit tier, from scratch each time:
# minutes, so not part of `make test`. The files are listed in pyproject.toml's [tool.mutmut]; the scores
# and the survivors judged equivalent are in docs/mutation.md. Fails when a file kills less than 90 %.
mutation: .venv/.synced
	rm -rf mutants
	$(UV) run mutmut run
	$(UV) run python -m tests.mutation_scores

bench-quick: .venv/.synced
	$(UV) run python -m bench.append --quick
	$(UV) run python -m bench.rebuild --quick
	$(UV) run python -m bench.http --quick
	$(UV) run python -m bench.client --quick
