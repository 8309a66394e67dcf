#!/usr/bin/env bash
# Build threshold-web: the interview as one offline HTML file, with the rules and the engine
# compiled to WebAssembly and inlined. Needs Rust with the wasm32-unknown-unknown target:
#   rustup target add wasm32-unknown-unknown
# Usage: web/build.sh [OUT.html]   (default: target/threshold-web/threshold.html)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/threshold-web/threshold.html}"
mkdir -p "$(dirname "$out")"
cargo build --quiet -p threshold-web --lib --target wasm32-unknown-unknown --profile web
cargo run --quiet -p threshold-web --bin threshold-web-page -- \
  target/wasm32-unknown-unknown/web/threshold_web.wasm "$out"
