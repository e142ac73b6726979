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

/// A capture loads as `normalize` loads it, alone and as both sides of a pair, whether it was
/// parsed before its rules were taken (a small capture) or normalized as it was read (a large
/// one): its events looked at while read (hook Markdown), read again (parties that merge under
/// their canonical names) or read whole (a documentation page).
#[test]
fn a_capture_loads_as_it_normalizes_alone_whatever_its_size() {
    use super::{load_normalized, parse_normalized_flows, Limits, PARSED_BEFORE_RULES_BELOW};
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
    let counter = super::progress::Progress::start("test", 0).counter();
    for (name, text) in &captures {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("scratch capture");
        let alone = parse_normalized_flows(text, &path, &rules).expect(name);
        for size in [Some(0), Some(PARSED_BEFORE_RULES_BELOW), None] {
            let loaded = load_normalized((&path, size), || &rules, Limits::default(), &counter);
            assert!(loaded.expect(name) == alone, "{name} as of {size:?} bytes");
        }
        let (old, new) = load_normalized_pair(&path, &path, &rules, Limits::default()).expect(name);
        assert!(old == alone && new == alone, "{name}");
    }
}

/// A small file is read before its rules are taken (they may still be compiling on the other
/// core): one that cannot be read fails without taking them. A large one, or one whose size is
/// not known (a pipe), is normalized as it is read, with the rules taken first.
#[test]
fn a_small_capture_is_read_before_its_rules_are_taken() {
    use super::{load_normalized, Limits, PARSED_BEFORE_RULES_BELOW};
    use crate::normalize::RuleSet;
    let rules = RuleSet::builtin();
    let dir = tempfile::tempdir().expect("scratch directory");
    let missing = dir.path().join("missing.md");
    let counter = super::progress::Progress::start("test", 0).counter();
    for (size, taken_first) in [
        (Some(0), false),
        (Some(PARSED_BEFORE_RULES_BELOW), true),
        (None, true),
    ] {
        let taken = std::cell::Cell::new(false);
        let take = || {
            taken.set(true);
            &rules
        };
        let loaded = load_normalized((&missing, size), take, Limits::default(), &counter);
        assert!(loaded.is_err());
        assert_eq!(taken.get(), taken_first, "{size:?} bytes");
    }
}

/// A pair large enough for both cores loads each side as it loads alone, whichever side is
/// the larger (the larger is read on the calling thread, the other on the helper).
#[test]
fn a_pair_on_both_cores_keeps_each_side_whichever_is_larger() {
    use super::{parse_normalized_flows, Limits, PairLoad, ONE_THREAD_BELOW};
    use crate::normalize::RuleSet;
    use crate::test_support::fixture;
    let rules = RuleSet::builtin();
    let dir = tempfile::tempdir().expect("scratch directory");
    let (large, small) = (
        fixture("server-create.hook.md"),
        fixture("image-show.hook.md"),
    );
    assert!(large.len() + small.len() >= ONE_THREAD_BELOW && large.len() > small.len());
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("scratch capture");
        let alone = parse_normalized_flows(text, &path, &rules).expect(name);
        (path, alone)
    };
    let (large_path, large_alone) = write("large.md", &large);
    let (small_path, small_alone) = write("small.md", &small);
    for (old, new) in [(&large_path, &small_path), (&small_path, &large_path)] {
        // The built-in rules, taken where each side first needs them, and a rule set handed
        // over (as rules files are).
        let builtin = PairLoad::start(old, new, Limits::default(), RuleSet::builtin)
            .finish()
            .map(|(_, old, new)| (old, new));
        let handed = load_normalized_pair(old, new, &rules, Limits::default());
        let alone = |path| match path == &large_path {
            true => &large_alone,
            false => &small_alone,
        };
        for (old_flows, new_flows) in [builtin.expect("the pair"), handed.expect("the pair")] {
            assert!(&old_flows == alone(old), "OLD {}", old.display());
            assert!(&new_flows == alone(new), "NEW {}", new.display());
        }
    }
}

/// Loads and normalizes a pair the way a comparison does, the helper given `rules` too.
fn load_normalized_pair(
    old: &std::path::Path,
    new: &std::path::Path,
    rules: &crate::normalize::RuleSet,
    limits: super::Limits,
) -> crate::error::Result<(Vec<crate::trace::Trace>, Vec<crate::trace::Trace>)> {
    let handed = rules.clone();
    let (_, old, new) =
        super::PairLoad::start(old, new, limits, move || handed.clone()).finish()?;
    Ok((old, new))
}

/// Only a regular file has a size known before it is read.
#[test]
fn a_size_is_known_for_regular_files_only() {
    use super::file_size;
    let dir = tempfile::tempdir().expect("scratch directory");
    let file = dir.path().join("capture.md");
    std::fs::write(&file, "12345").expect("scratch capture");
    assert_eq!(file_size(&file), Some(5));
    assert_eq!(file_size(dir.path()), None);
    assert_eq!(file_size(&dir.path().join("missing.md")), None);
}
