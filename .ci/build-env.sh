# Sourced by test.sh and bench.sh: the one way this project builds its server,
# tests and bench, so each crate compiles once and the two share the build.
# clippy-driver is rustc plus the lints: as the workspace wrapper it compiles
# the workspace crates for real and fails the build on any warning.
export RUSTC_WORKSPACE_WRAPPER=clippy-driver
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
# Incremental compilation of the workspace crates (dependencies never are): after
# a one-line change only what changed is compiled again. CI always builds from
# scratch, where the incremental caches only cost time.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; else export CARGO_INCREMENTAL=1; fi
# One feature set for app and server, tests and bench alike; `make test` builds
# on the `quick` profile (Cargo.toml says why), `make bench` on release.
cargo_targets=(--profile quick -p app -p server --features app/ssr)
release_targets=(--release -p app -p server --features app/ssr)
# The server binary `make test` builds, for the Playwright suite.
export LAUREL_SERVER_BIN=target/quick/server
