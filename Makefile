# custsync: `make run` serves the app with demo data, `make test` runs every
# test. Both install what they need first (see .ci/setup).

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

# The site's name, which Leptos builds into the server. cargo-leptos sets it
# for its own builds. Set here for every cargo command too, a server binary
# that `cargo test` or `cargo bench` rebuilds names the site's files the same
# way (without it, its pages point at `/pkg/.js` and never hydrate), and cargo
# does not rebuild the Leptos crates between the two kinds of build.
export LEPTOS_OUTPUT_NAME := custsync

# Where the browser tests' server keeps its databases; emptied before each run.
E2E_DATA_DIR := target/e2e-data

.PHONY: run chain test bench soak release setup setup-browser setup-postgres lint unit site e2e

# The demo users (password custsync) are asked for here only.
run: setup
	CUSTSYNC_SEED_DEMO_USERS=true cargo leptos serve --split

# Three scale units (Houston on 3000, Seattle on 3001, the online store on
# 3002) sharing HQ on PostgreSQL, in a throwaway cluster in target/chain
# (.ci/chain). Ctrl-C stops them all.
chain: setup setup-postgres site
	.ci/chain

test: setup-browser setup-postgres lint unit site e2e

setup:
	.ci/setup

setup-browser:
	.ci/setup --browser

setup-postgres:
	.ci/setup --postgres

lint:
	cargo fmt --check
	cargo clippy --all-targets --features ssr -- -D warnings
	cargo clippy --lib --features hydrate --target wasm32-unknown-unknown -- -D warnings

# The HQ tests run a second time with HQ on PostgreSQL, in a throwaway
# cluster of their own (.ci/postgres); the access and fuzz tests one at a
# time, as their write watch sees every write in the cluster. The bench's smoke run
# measures the P-job and the sync on that cluster too.
HQ_TESTS := --test customers --test configuration --test pipeline --test operation_ids --test sync_engine --test status_page --test scale_units --test chain --test sales

unit:
	cargo test --features ssr
	.ci/postgres run --no-autovacuum -- sh -c 'cargo test --features ssr $(HQ_TESTS) \
		&& cargo test --features ssr --test access --test fuzz -- --test-threads=1 \
		&& cargo test --features ssr --bench custsync -- --smoke'

# Release build of the site, split per page and precompressed, as a
# deployment serves it. cargo-leptos's gzip copies are then written again by
# zopfli, which packs the same standard gzip about 15% smaller.
release: setup
	.ci/setup --release
	PATH="$(CURDIR)/.ci/binaryen/node_modules/.bin:$$PATH" cargo leptos build --release --split --precompress
	find target/site -name '*.gz' | sed 's/\.gz$$//' | xargs .ci/zopfli/bin/zopfli

# The release build, then every figure, written to BENCHMARKS.md. Takes about
# 40 minutes on 2 cores: 17 to build, 20 to measure.
bench: release setup-postgres
	.ci/postgres run -- cargo bench --features ssr --bench custsync

# The long crash series: the server killed with SIGKILL under 32 clients ten
# times (make test kills it three times).
soak: setup
	CUSTSYNC_KILLS=10 cargo test --features ssr --test server_killed

site:
	cargo leptos build --split

e2e:
	rm -rf $(E2E_DATA_DIR)
	cd end2end && npx playwright test
