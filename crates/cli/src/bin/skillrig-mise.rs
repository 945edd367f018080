//! `skillrig-mise`: what the mise plugin calls.

fn main() {
    std::process::exit(2);
}
