#!/bin/bash
# usage: split.sh OUTDIR  (uses target/.../hallpass.wasm built with --emit-relocs)
set -e
cd /tmp/sizework
B=/tmp/sizework/.tools/node_modules/.bin
OUT=$1; rm -rf $OUT; mkdir -p $OUT/split $OUT/site
/tmp/wsplit-tool/bin/wasm-split-cli target/wasm32-unknown-unknown/release/hallpass.wasm $OUT/split --out-name hallpass --target web ${VERBOSE:+-v} > $OUT/split.log 2>&1
wasm-bindgen --target web --keep-lld-exports --no-demangle --out-dir $OUT/bg --out-name hallpass $OUT/split/hallpass.wasm
$B/wasm-opt -Oz $OUT/bg/hallpass_bg.wasm -o $OUT/site/hallpass_bg.wasm
cp $OUT/bg/hallpass.js $OUT/site/
for f in $OUT/split/*.wasm; do n=$(basename $f); [ $n = hallpass.wasm ] && continue; $B/wasm-opt -Oz --enable-bulk-memory --enable-bulk-memory-opt --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue $f -o $OUT/site/$n; done
cp $OUT/split/*.js $OUT/site/ 2>/dev/null || true
printf "%-50s %9s %9s\n" file raw br
for f in $OUT/site/*; do printf "%-50s %9d %9d\n" $(basename $f) $(stat -c%s $f) $(brotli -q 11 -w 22 -c $f | wc -c); done
