#!/bin/bash
# Trunk's pipeline by hand: cargo build, wasm-bindgen --target web, wasm-opt -Oz; brotli 11.
set -e
cd /tmp/sizework; export CARGO_TARGET_DIR=/tmp/sizework/target
B=/tmp/sizework/.tools/node_modules/.bin; O=/tmp/m/$1; rm -rf $O; mkdir -p $O
cargo ${TOOLCHAIN} build --release --target wasm32-unknown-unknown --bin hallpass 2>&1 | grep -E "^error|Finished" 
wasm-bindgen --target web --out-dir $O --out-name hallpass target/wasm32-unknown-unknown/release/hallpass.wasm
$B/wasm-opt -Oz $O/hallpass_bg.wasm -o $O/opt.wasm
w=$(brotli -q 11 -w 22 -c $O/opt.wasm | wc -c); j=$(brotli -q 11 -w 22 -c $O/hallpass.js | wc -c)
echo "$1: wasm raw $(stat -c%s $O/opt.wasm) br $w; js br $j; total(+css/html/favicon 2137) $((w+j+2137))"
