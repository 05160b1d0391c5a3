# Simpul: `make demo` runs the main job on a throwaway data folder; `make test` runs every test.
SWIFT ?= swift
# System packages the build, the tests and the demo need (Debian names).
# systemd: systemd-analyze, for check-systemd. libqrencode-dev: the QR code on printed papers.
# chromium, chromium-driver, python3-selenium: the browser tests of the web pages (Tests/Browser), run
# by Debian's own python3; zbar-tools (zbarimg) and poppler-utils (pdfinfo, pdftoppm) read back what
# they print. libxlsxwriter-dev: the back office's XLSX export; libreoffice-calc-nogui reads it back in the
# browser tests. postgresql-15, postgresql-client-15: the throwaway cluster the hub's PostgreSQL storage is
# tested against (scripts/postgres-test-cluster, docs/postgres.md).
APT_PACKAGES := libsqlite3-dev libcurl4-openssl-dev libzstd-dev zstd sqlite3 python3-jsonschema python3-cryptography systemd \
	libqrencode-dev chromium chromium-driver python3-selenium zbar-tools poppler-utils libxlsxwriter-dev \
	libreoffice-calc-nogui postgresql-15 postgresql-client-15
# Screenshots of every page the browser tests visit, to be looked at.
BROWSER_OUTPUT := .build/test-output/browser

.PHONY: all deps deps-schemathesis build release test test-browser demo format lint check-systemd check-seccomp fuzz schemathesis clean

all: build

# Installs missing system packages with apt-get when run as root; otherwise names what is missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "missing system packages:$$missing (run 'make deps' as root)"; exit 1; fi; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

# The tests run against a throwaway PostgreSQL cluster (SIMPUL_TEST_POSTGRES_URL), stopped and removed
# whether they pass or not. In two runs: the black-box and PostgreSQL storage tests are synchronous and
# wait seconds on other processes, holding threads of the cooperative pool (two on two cores) that the
# in-process hubs of the HTTPS tests need to answer; run beside them, they froze those hubs past the
# agents' silence deadline.
BLOCKING_TESTS = SimpulCLITests|SimpulHubPostgresTests
test: deps
	$(SWIFT) build --build-tests
	@set -e; dir="$$(mktemp -d /tmp/simpul-pg.XXXXXX)"; \
	trap 'bash scripts/postgres-test-cluster stop "$$dir/cluster"; rmdir "$$dir" 2>/dev/null || true' EXIT; \
	url="$$(bash scripts/postgres-test-cluster start "$$dir/cluster")"; \
	echo "PostgreSQL for the tests: $$url"; \
	SIMPUL_TEST_POSTGRES_URL="$$url" $(SWIFT) test --skip-build --parallel --skip "$(BLOCKING_TESTS)"; \
	SIMPUL_TEST_POSTGRES_URL="$$url" $(SWIFT) test --skip-build --parallel --filter "$(BLOCKING_TESTS)"
	$(MAKE) test-browser

# The counter's and the back office's pages in a real chromium against the built `simpul` and
# `simpul-hub`; screenshots in $(BROWSER_OUTPUT).
test-browser: deps
	$(SWIFT) build --product simpul
	$(SWIFT) build --product simpul-hub
	/usr/bin/python3 Tests/Browser/counter_web.py "$$($(SWIFT) build --show-bin-path)" $(BROWSER_OUTPUT)
	/usr/bin/python3 Tests/Browser/backoffice_web.py "$$($(SWIFT) build --show-bin-path)" $(BROWSER_OUTPUT)

demo: deps build
	bash scripts/demo.sh "$$($(SWIFT) build --show-bin-path)"

# CI checks the format and that every relative link in the Markdown docs names a file inside the
# repository (a clone has nothing beside it); `make format` rewrites the files.
lint:
	@bad=0; for f in *.md docs/*.md sync-schemas/*.md; do \
	  for l in $$(grep -o '\]([^)#[:space:]]*' "$$f" | cut -c3-); do \
	    case "$$l" in ''|*:*) continue;; esac; \
	    t="$$(realpath -m "$$(dirname "$$f")/$$l")"; \
	    case "$$t" in "$(CURDIR)"/*) [ -e "$$t" ] && continue;; esac; \
	    echo "$$f: link to $$l: no such file in the repository"; bad=1; \
	  done; \
	done; exit $$bad
	$(SWIFT) format lint --strict --recursive Sources Tests Fuzz/Targets Package.swift

format:
	$(SWIFT) format --in-place --recursive Sources Tests Fuzz/Targets Package.swift

# Checks the units in systemd/ with `systemd-analyze verify`, which also insists that every ExecStart
# binary exists and is executable. The units name /usr/local/bin/simpul and simpul-hub, which a build
# machine does not have, so the check assembles a throwaway root in .build/systemd-root: the unit files
# exactly as shipped in etc/systemd/system, the built binaries (hard links to the ones `make test` or
# `make build` left in the bin path; built here if missing) in usr/local/bin, and a copy of the host's
# own units (sysinit.target, network-online.target, ...) in usr/lib/systemd/system; then runs verify
# with --root. verify reports unknown keys and bad values as warnings with exit status 0, so any output
# fails the check. Last, `systemd-analyze security --offline` prints each service's exposure score
# and fails when one rises above SYSTEMD_EXPOSURE_MAX (tenths: 15 = 1.5 on its 0-10 scale).
SYSTEMD_UNITS := simpul.service simpul-sync.service simpul-sync.timer simpul-hub.service simpul-hub-alerts.service \
  simpul-hub-alerts.timer
SYSTEMD_EXPOSURE_MAX := 15

check-systemd: deps
	@set -e; bin="$$($(SWIFT) build --show-bin-path)"; \
	if [ ! -x "$$bin/simpul" ] || [ ! -x "$$bin/simpul-hub" ]; then $(SWIFT) build; fi; \
	root="$(CURDIR)/.build/systemd-root"; rm -rf "$$root"; \
	mkdir -p "$$root/etc/systemd/system" "$$root/usr/local/bin" "$$root/usr/lib/systemd"; \
	cp -a /usr/lib/systemd/system "$$root/usr/lib/systemd/"; \
	for u in $(SYSTEMD_UNITS); do cp systemd/$$u "$$root/etc/systemd/system/"; done; \
	for b in simpul simpul-hub; do ln -f "$$bin/$$b" "$$root/usr/local/bin/$$b" 2>/dev/null || cp "$$bin/$$b" "$$root/usr/local/bin/"; done; \
	out="$$(systemd-analyze verify --root="$$root" $(SYSTEMD_UNITS) 2>&1)" || { echo "$$out"; exit 1; }; \
	if [ -n "$$out" ]; then echo "$$out"; echo "systemd-analyze verify: warnings above"; exit 1; fi; \
	echo "systemd-analyze verify: $(SYSTEMD_UNITS): no findings"; \
	for u in $(filter %.service,$(SYSTEMD_UNITS)); do \
	  rc=0; sec="$$(systemd-analyze security --offline=true --root="$$root" --threshold=$(SYSTEMD_EXPOSURE_MAX) $$u 2>&1)" || rc=$$?; \
	  if [ $$rc != 0 ]; then echo "$$sec"; echo "$$u: exposure above SYSTEMD_EXPOSURE_MAX=$(SYSTEMD_EXPOSURE_MAX) (tenths)"; exit 1; fi; \
	  echo "$$sec" | grep 'Overall exposure'; \
	done; rm -rf "$$root"

# Runs `make demo` with every simpul and simpul-hub process under the seccomp filter the units ask
# for (scripts/seccomp-run.py: SystemCallFilter=, RestrictAddressFamilies=, MemoryDenyWriteExecute=),
# since a build container has no systemd to run the units themselves. Not part of CI.
check-seccomp: deps build
	@bin="$$($(SWIFT) build --show-bin-path)"; wrap=.build/seccomp-bin; mkdir -p "$$wrap"; \
	for b in simpul simpul-hub; do \
	  printf '#!/bin/sh\nexec python3 "%s/scripts/seccomp-run.py" "%s/%s" "$$@"\n' "$(CURDIR)" "$$bin" $$b >"$$wrap/$$b"; \
	  chmod +x "$$wrap/$$b"; \
	done; \
	bash scripts/demo.sh "$(CURDIR)/$$wrap" >.build/seccomp-demo.log 2>&1 \
	  && echo "make demo under the units' seccomp filter: passed (.build/seccomp-demo.log)" \
	  || { tail -20 .build/seccomp-demo.log; echo "make demo under the units' seccomp filter: FAILED"; exit 1; }

# Builds the fuzz targets in Fuzz/ with libFuzzer and AddressSanitizer (a build of its own, in
# .build-fuzz) and runs each for FUZZ_SECONDS on a copy of its seed corpus; fails on any crash and
# names the crashing input (Fuzz/README.md).
FUZZ_SECONDS ?= 30

fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) SWIFT=$(SWIFT) bash Fuzz/run

# Schemathesis (PyPI) in a virtual environment of its own, .build-venv; nothing else is fetched
# when `make schemathesis` runs. The version is pinned so that CI runs the same checks every time.
VENV := .build-venv
SCHEMATHESIS_VERSION := 4.32.5

deps-schemathesis:
	@if ! $(VENV)/bin/schemathesis --version 2>/dev/null | grep -q "$(SCHEMATHESIS_VERSION)"; then \
	  python3 -m venv $(VENV) && $(VENV)/bin/pip install -q "schemathesis==$(SCHEMATHESIS_VERSION)"; \
	fi

# Starts a real hub (simpul-hub init + serve on 127.0.0.1, plain HTTP) and runs Schemathesis against
# sync-schemas/openapi.yaml: no 5xx, and statuses, content types and bodies as documented.
schemathesis: deps deps-schemathesis
	$(SWIFT) build --product simpul-hub
	bash sync-schemas/schemathesis/run "$$($(SWIFT) build --show-bin-path)"

clean:
	rm -rf .build .build-fuzz $(VENV)
