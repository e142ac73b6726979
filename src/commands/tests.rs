//! Unit tests of `commands`.

use super::{color, ColorChoice};

#[test]
fn color_follows_no_color_and_clicolor_force() {
    assert!(color(ColorChoice::Auto, true, false, false));
    assert!(!color(ColorChoice::Auto, true, true, false));
    assert!(!color(ColorChoice::Auto, false, false, false));
    assert!(color(ColorChoice::Auto, false, true, true));
    assert!(!color(ColorChoice::Never, true, false, true));
    assert!(color(ColorChoice::Always, false, true, false));
}
