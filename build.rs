//! Writes the list of built-in goldens (`golden/*.md`, in name order) for `src/golden/mod.rs`
//! to embed, so adding a golden file is all it takes to ship it.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("golden");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut goldens: Vec<(String, String)> = Vec::new();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .path();
        if !path.is_file() || path.extension().is_none_or(|e| e != "md") {
            continue;
        }
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            panic!("{}: a golden's name must be UTF-8", path.display());
        };
        println!("cargo:rerun-if-changed={}", path.display());
        goldens.push((name.to_string(), path.display().to_string()));
    }
    goldens.sort();
    let mut code = format!(
        "/// The committed goldens (`golden/*.md`), embedded at build time by `build.rs`.\n\
         const BUILTIN: [(&str, &str); {}] = [\n",
        goldens.len()
    );
    for (name, path) in &goldens {
        let _ = writeln!(code, "    ({name:?}, include_str!({path:?})),");
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("builtin_goldens.rs");
    std::fs::write(&out, code).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}
