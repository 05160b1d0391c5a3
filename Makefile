# Simpul: `make demo` runs the main job on a throwaway data folder; `make test` runs every test.
SWIFT ?= swift
# System packages the build, the tests and the demo need (Debian names).
APT_PACKAGES := libsqlite3-dev libcurl4-openssl-dev libzstd-dev zstd sqlite3 python3-jsonschema

.PHONY: all deps build release test demo format lint clean

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

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --parallel

demo: deps build
	bash scripts/demo.sh "$$($(SWIFT) build --show-bin-path)"

# CI checks the format; `make format` rewrites the files.
lint:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift

format:
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf .build
