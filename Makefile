# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run test install lint format lock clean bench

$(VENV)/.installed: requirements.lock
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

run: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=1 $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "Demo logins (development only):"
	@echo "  hotline   / demo-hotline-2026     hotline intake"
	@echo "  kontakt1  / demo-kontakt-2026     contact person (also kontakt2)"
	@echo "  teamleder / demo-teamleder-2026   supervisor"
	@echo "  statistik / demo-statistik-2026   statistics"
	@echo "  admin     / demo-admin-2026       administrator (user accounts)"
	@echo "Two-factor login is required: each user's first login sets up an authenticator"
	@echo "app (scan the QR code or type the key shown) and gives 10 recovery codes."
	@echo "Open http://127.0.0.1:8000"
	@echo ""
	bin/run-dev

# pytest exits 5 when it collects no test; that is a broken suite here, not a pass.
test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit --quiet --recursive cmm referrals cases repatriation stats retention api demo --severity-level medium --exclude "*/migrations/*"
	$(BIN)/lint-imports --no-cache
	bin/ensure-chromium
	bin/with-test-services $(BIN)/pytest $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; fi; exit $$status

# Not part of `make test`: synthetic data at scale in a throwaway PostgreSQL, page timings
# with their SQL floors, and a load run with wrk against gunicorn (see README, Benchmark).
# BENCH_SCALE=0.01 for a quick run.
bench: install
	bin/bench

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit --quiet --recursive cmm referrals cases repatriation stats retention api demo --severity-level medium --exclude "*/migrations/*"
	$(BIN)/lint-imports --no-cache

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-resolve the lock file after changing dependencies in pyproject.toml.
lock:
	$(BIN)/pip-compile --quiet --extra dev --generate-hashes --strip-extras --allow-unsafe \
	  --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) node_modules var staticfiles
