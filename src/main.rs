//! Trunk builds this binary; everything lives in the library so tests can import it.
fn main() {
    hallpass::start();
}
