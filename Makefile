SHELL := /bin/bash
# skytool: two commands for a fresh Debian machine with Swift.
#   make demo   build and run the bundled demo
#   make test   build and run the test suite (CI runs this through .ci/run)
SWIFT ?= swift
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
DEMO_OUT ?= demo-out

.PHONY: demo test setup build release bench clean

setup:
	@bash scripts/setup.sh

build: setup
	$(SWIFT) build -j $(JOBS)

release: setup
	$(SWIFT) build -c release -j $(JOBS)

test: setup
	$(SWIFT) build --build-tests -j $(JOBS)
	$(SWIFT) test --skip-build --parallel --num-workers $(JOBS) 2>&1 | tee .build/test.log; test $${PIPESTATUS[0]} -eq 0

demo: release
	@bash scripts/demo.sh "$$($(SWIFT) build -c release --show-bin-path)/skytool" "$(DEMO_OUT)"

bench: setup
	@bash Benchmarks/run.sh
	@bash Benchmarks/run_image.sh

clean:
	rm -rf .build $(DEMO_OUT)
