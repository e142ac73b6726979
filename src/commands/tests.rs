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

/// Both sides of a pair are loaded as `normalize` loads one capture, whether their events were
/// looked at while read (hook Markdown) or the capture had to be read again (parties that merge
/// under their canonical names) or was read whole (a documentation page).
#[test]
fn a_pair_loads_as_each_capture_normalizes_alone() {
    use super::{load_normalized_pair, parse_normalized_flows, Limits};
    use crate::normalize::RuleSet;
    let rules = RuleSet::builtin();
    use crate::test_support::{client_alias_in_first_section, fixture};
    let hook = fixture("image-show.hook.md");
    let merged = client_alias_in_first_section(&hook);
    let dir = tempfile::tempdir().expect("scratch directory");
    let captures = [
        ("hook.md", hook),
        ("merged.md", merged),
        ("doc.md", fixture("image-create.doc.md")),
    ];
    for (name, text) in &captures {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("scratch capture");
        let (old, new) = load_normalized_pair(&path, &path, &rules, Limits::default()).expect(name);
        let alone = parse_normalized_flows(text, &path, &rules).expect(name);
        assert!(old == alone && new == alone, "{name}");
    }
}
