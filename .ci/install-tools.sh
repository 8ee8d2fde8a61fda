#!/usr/bin/env bash
# Installs every tool the build and the tests need. Each step is guarded by a
# version check, so a re-run on a warm machine takes seconds. On a fresh machine
# the steps run side by side: the two Rust tools compile in target directories
# of their own (so neither waits for the other's lock) while the downloads
# (apt, npm, PyPI) run; each step's output goes to a log printed when it ends.
# Tools live under $LAUREL_TOOLS (default ~/.cache/laurel-tools); the Makefile
# puts $LAUREL_TOOLS/bin and the npm binaryen first on PATH.
set -euo pipefail

TOOLS="${LAUREL_TOOLS:-$HOME/.cache/laurel-tools}"
mkdir -p "$TOOLS/bin"
export PATH="$TOOLS/bin:$TOOLS/binaryen/node_modules/.bin:$HOME/.cargo/bin:$PATH"

LEPTOS_VERSION=0.3.11
BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132.0.0

log() { printf '\n==> %s\n' "$*"; }

# Steps started with `step NAME CMD...` run in the background; `finish` waits
# for all of them and fails (printing the step's output) if one failed.
step_names=() step_pids=() step_logs=()
step() {
  local name=$1; shift
  local out; out=$(mktemp /tmp/laurel-tools-step.XXXXXX)
  log "$name (started)"
  "$@" >"$out" 2>&1 &
  step_names+=("$name") step_pids+=($!) step_logs+=("$out")
}
finish() {
  local failed=0 i
  for i in "${!step_pids[@]}"; do
    if wait "${step_pids[$i]}"; then
      log "${step_names[$i]} (done)"
    else
      log "${step_names[$i]} FAILED:"; cat "${step_logs[$i]}"; failed=1
    fi
    rm -f "${step_logs[$i]}"
  done
  return "$failed"
}

# Build tools need no link-time optimisation or full optimisation: their own
# work (CSS, JS minifying, running cargo) is small. This profile overrides the
# tools' `lto = true, codegen-units = 1` and cuts their cold build several-fold.
light_profile=(env CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
  CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_DEBUG=0 CARGO_PROFILE_RELEASE_INCREMENTAL=false)
# cargo-leptos only drives other programs (cargo, wasm-bindgen, wasm-opt) and
# minifies one small JS file: unoptimised, it builds in about half the time and
# its share of a release build stays seconds. wasm-bindgen keeps opt-level 1: it
# rewrites the whole WASM bundle on every build.
lighter_profile=("${light_profile[@]}" CARGO_PROFILE_RELEASE_OPT_LEVEL=0)

# 1. Debian packages: Chromium for Playwright, PostgreSQL server for the PG tests.
need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
[ -x /usr/lib/postgresql/15/bin/postgres ] || ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need_apt+=(postgresql)
command -v sqlite3 >/dev/null 2>&1 || need_apt+=(sqlite3)
# `ss`: a test reads the server's listen backlog back from the kernel.
command -v ss >/dev/null 2>&1 || need_apt+=(iproute2)
# Fonts so Chromium renders emoji, Korean and Japanese (screenshots, visual checks).
[ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || need_apt+=(fonts-noto-color-emoji)
ls /usr/share/fonts/opentype/noto/NotoSansCJK* >/dev/null 2>&1 || need_apt+=(fonts-noto-cjk)
if [ ${#need_apt[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  step "apt-get install ${need_apt[*]}" bash -c 'apt-get update -qq && apt-get install -y -qq "$@"' _ "${need_apt[@]}"
fi

# 2. The WASM target (stable toolchain).
if ! rustup target list --installed | grep -q wasm32-unknown-unknown; then
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 3. wasm-opt from npm binaryen (Debian's 108 silently breaks hydration).
if [ ! -x "$TOOLS/binaryen/node_modules/.bin/wasm-opt" ]; then
  step "npm binaryen@$BINARYEN_VERSION" npm install --silent --no-audit --no-fund --prefix "$TOOLS/binaryen" "binaryen@$BINARYEN_VERSION"
fi

# 4. wasm-bindgen CLI, equal to the wasm-bindgen in Cargo.lock.
# wasm-bindgen-cli's own lockfile wants a webpki-roots the registry lacks: unpack
# its .crate, pin that one dependency, install from the path.
install_bindgen() {
  src="$TOOLS/src"
  mkdir -p "$src"
  crate="$HOME/.cargo/registry/cache/"*"/wasm-bindgen-cli-$BINDGEN_VERSION.crate"
  if ! ls $crate >/dev/null 2>&1; then
    # Fetch the .crate into the registry cache via a throw-away dependent project.
    tmpd="$(mktemp -d)"
    mkdir -p "$tmpd/src" && echo 'fn main(){}' > "$tmpd/src/main.rs"
    cat > "$tmpd/Cargo.toml" <<TOML
[package]
name = "fetch-bindgen-cli"
version = "0.0.0"
edition = "2021"
[dependencies]
wasm-bindgen-cli = "=$BINDGEN_VERSION"
TOML
    (cd "$tmpd" && cargo fetch -q) || true
    rm -rf "$tmpd"
  fi
  rm -rf "$src/wasm-bindgen-cli-$BINDGEN_VERSION"
  tar -xzf $crate -C "$src"
  (
    cd "$src/wasm-bindgen-cli-$BINDGEN_VERSION"
    cargo update -q -p webpki-roots --precise 1.0.10 || true
    "${light_profile[@]}" CARGO_TARGET_DIR="$TOOLS/target-bindgen" cargo install -q --path . --locked --root "$TOOLS"
  )
}
if ! { command -v wasm-bindgen >/dev/null 2>&1 && wasm-bindgen --version | grep -q "$BINDGEN_VERSION"; }; then
  step "wasm-bindgen-cli $BINDGEN_VERSION" install_bindgen
fi

# 5. cargo-leptos, taking wasm-bindgen / wasm-opt from PATH.
if ! { command -v cargo-leptos >/dev/null 2>&1 && cargo-leptos --version | grep -q "$LEPTOS_VERSION"; }; then
  step "cargo-leptos $LEPTOS_VERSION (~6 min cold)" "${lighter_profile[@]}" CARGO_TARGET_DIR="$TOOLS/target" cargo install -q cargo-leptos --version "$LEPTOS_VERSION" \
    --locked --features no_downloads --ignore-rust-version --root "$TOOLS"
fi

# 6. Python test peers from PyPI: a real SMTP server (aiosmtpd) for the mail tests,
#    python-gitlab, the unchanged GitLab client the API scenario runs, and
#    Schemathesis, which drives the REST API from its OpenAPI document, and
#    PyJWT with cryptography, an independent verifier of the signed credentials,
#    and Pillow, an independent reader of the baked badge images.
if ! python3 -c "import aiosmtpd, gitlab, gql, requests, schemathesis, jwt, cryptography, PIL" >/dev/null 2>&1; then
  step "pip install aiosmtpd python-gitlab[graphql] schemathesis pyjwt[crypto] pillow" python3 -m pip install --quiet --disable-pip-version-check aiosmtpd "python-gitlab[graphql]==8.6.0" requests "schemathesis==4.32.5" "pyjwt[crypto]==2.10.1" "pillow==11.3.0"
fi

# 7. Playwright (npm only; never downloads a browser).
if [ -f end2end/package-lock.json ] && [ ! -d end2end/node_modules/@playwright/test ]; then
  step "npm ci (end2end)" npm ci --prefix end2end --silent --no-audit --no-fund
fi

finish
log "tools ready"
