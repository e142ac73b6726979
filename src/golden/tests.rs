//! Unit tests of `golden`.

use super::*;

#[test]
fn directories_hold_single_goldens_and_golden_sets() {
    let dir = std::env::temp_dir().join(format!("flowdiff-golden-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("image-create")).expect("dirs");
    std::fs::write(dir.join("image-show.md"), "a").expect("write");
    std::fs::write(dir.join("notes.txt"), "ignored").expect("write");
    std::fs::write(dir.join("image-create/2.md"), "c").expect("write");
    std::fs::write(dir.join("image-create/1.md"), "b").expect("write");
    let goldens = load_dir(&dir).expect("loads");
    let seen: Vec<(&str, &str)> = goldens
        .iter()
        .map(|g| (g.name.as_str(), g.text.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("image-create", "b"),
            ("image-create", "c"),
            ("image-show", "a")
        ]
    );
    std::fs::remove_dir_all(&dir).expect("cleanup");
    assert!(load_dir(&dir).is_err());
}
