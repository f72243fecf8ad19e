# kubeplay — two commands: `make serve` and `make test`. Every install step is idempotent and
# lives in scripts/install-tools.sh (versions: ../shared/docs/toolchain.md).
SHELL := /bin/bash
export PATH := /usr/local/bin:$(HOME)/.cargo/bin:$(PATH)
export TRUNK_SKIP_VERSION_CHECK := true
export CHROMEDRIVER ?= /usr/bin/chromedriver
export WASM_BINDGEN_TEST_TIMEOUT ?= 120
export WASM_BINDGEN_TEST_DRIVER_TIMEOUT ?= 30
CORE_CRATES := -p kubeplay-api -p kubeplay-core -p kubeplay-kubectl $(if $(wildcard crates/kubeplay-swarm/tests/wasm.rs),-p kubeplay-swarm)

.PHONY: serve dist test check tools tools-browser fmt clippy unit wasm-test e2e size bench fuzz clean

## make serve: install what is missing, build, serve http://127.0.0.1:8080
serve: tools
	cargo fetch --locked
	trunk serve --release --address 127.0.0.1 --port 8080

## make dist: the release site in dist/ (static files for any web server or GitHub Pages)
dist: tools
	cargo fetch --locked
	trunk build --release

## make test: install what is missing, then every check CI runs
test: tools tools-browser
	cargo fetch --locked
	$(MAKE) fmt clippy unit wasm-test dist size e2e

## make check: the fast inner loop (format, lints, native tests)
check: fmt clippy unit

tools:
	@scripts/install-tools.sh

tools-browser:
	@scripts/install-tools.sh --browser

fmt:
	cargo fmt --all -- --check

clippy:
	cargo clippy --workspace --all-targets --locked -- -D warnings
	cargo clippy --workspace --target wasm32-unknown-unknown --locked -- -D warnings

unit:
	cargo test --workspace --locked

# The core's cross-platform tests compiled to wasm32 and run in headless Chromium.
wasm-test:
	cargo test --target wasm32-unknown-unknown --locked $(CORE_CRATES) --test wasm

size:
	@scripts/wasm-size.sh

e2e:
	scripts/e2e.sh

bench:
	cargo bench -p kubeplay-core

clean:
	cargo clean
	rm -rf dist
