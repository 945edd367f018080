//! `skillrig-auth`: token, doctor and git credential helper.

fn main() {
    std::process::exit(2);
}
