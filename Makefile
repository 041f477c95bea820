# The two commands: `make run` and `make test`. Everything else is set up by them.
UV_VERSION := 0.13.9
UV := .tools/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_FROZEN := 1

.PHONY: run test lint typecheck generate check-generated bench-quick

# A pinned uv in a private venv: nothing needs to be installed on the machine beforehand.
$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen
	touch $@

run: .venv/.synced
	$(UV) run rapport serve

lint: .venv/.synced
	$(UV) run ruff check .
	$(UV) run ruff format --check .

typecheck: .venv/.synced
	$(UV) run mypy

generate: .venv/.synced
	$(UV) run rapport generate

check-generated: .venv/.synced
	$(UV) run rapport generate --check

test: lint typecheck check-generated
	$(UV) run pytest

bench-quick: .venv/.synced
	$(UV) run python -m bench.append --quick
	$(UV) run python -m bench.rebuild --quick
