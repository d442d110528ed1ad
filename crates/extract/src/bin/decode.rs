//! A decoder child and nothing else: what `leakcheck decode-native` does,
//! for the tests of this crate, which have no leakcheck binary to run.

fn main() {
    std::process::exit(leakcheck_extract::native::serve_child());
}
