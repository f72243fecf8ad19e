#!/usr/bin/env bash
# Idempotent installer for everything `make serve` / `make test` need beyond the Rust toolchain.
# Each step checks first and skips when the right version is already present.
# Versions and reasons: ../shared/docs/toolchain.md (trunk 0.21.x because rustc is 1.95;
# wasm-bindgen-cli must equal the wasm-bindgen in Cargo.lock; wasm-opt from npm binaryen).
set -euo pipefail
cd "$(dirname "$0")/.."

want_browser=0
[ "${1:-}" = "--browser" ] && want_browser=1

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132.0.0
# The wasm-bindgen CLI version is read from Cargo.lock so the two can never drift.
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)

sudo_if() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  echo "==> rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

if ! command -v trunk >/dev/null || ! trunk --version | grep -q "$TRUNK_VERSION"; then
  echo "==> cargo install trunk $TRUNK_VERSION"
  cargo install trunk --version "$TRUNK_VERSION" --locked --no-default-features
fi

if ! command -v wasm-bindgen >/dev/null || ! wasm-bindgen --version | grep -q "$WB_VERSION"; then
  echo "==> cargo install wasm-bindgen-cli $WB_VERSION"
  # no --locked: its lockfile pins a webpki-roots the registry here lacks (toolchain.md G2)
  cargo install wasm-bindgen-cli --version "$WB_VERSION"
fi

if ! command -v wasm-opt >/dev/null || ! wasm-opt --version | grep -q "version_${BINARYEN_VERSION%%.*}"; then
  echo "==> npm binaryen@$BINARYEN_VERSION (wasm-opt)"
  sudo_if npm install --prefix /opt/binaryen-npm "binaryen@$BINARYEN_VERSION" --no-audit --no-fund
  sudo_if ln -sf /opt/binaryen-npm/node_modules/binaryen/bin/wasm-opt /usr/local/bin/wasm-opt
fi

if [ "$want_browser" = 1 ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    echo "==> apt-get install chromium chromium-driver"
    sudo_if apt-get update -qq || true
    # one command so both come at the same Debian version (toolchain.md G7)
    sudo_if env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
  fi
fi
echo "==> tools ready: $(trunk --version), wasm-bindgen $(wasm-bindgen --version | awk '{print $2}'), $(wasm-opt --version)"
