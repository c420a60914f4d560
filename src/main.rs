//! Trunk builds this binary; everything lives in the library so tests can import it.

/// The allocator: TLSF, constant time and about a kilobyte of wasm; the standard library's
/// dlmalloc is about seven, and this is the shell every page downloads. Set here, in the
/// binary, not in the library: a library doesn't choose its users' allocator.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: rlsf::SmallGlobalTlsf = rlsf::SmallGlobalTlsf::new();
fn main() {
    hallpass::start();
}
