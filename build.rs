//! Writes, for the crate to embed:
//! - the list of built-in goldens (`golden/*.md`, in name order) for `src/golden/mod.rs`, so
//!   adding a golden file is all it takes to ship it;
//! - the built-in rules (`rules/default.toml`) as JSON for `src/normalize/rules/mod.rs`: each
//!   `[[rule]]` table with the line of its header and the comment above it, so that the binary
//!   parses no TOML at start-up. A `rules/default.toml` that is not TOML, or holds anything but
//!   `[[rule]]` tables, fails the build; the tests check each rule;
//! - the built-in rules' automata for `src/normalize/prebuilt.rs` (see `automata`), so that the
//!   binary compiles no regex of a built-in value or key rule at start-up.

use std::fmt::Write;
use std::path::Path;

#[allow(dead_code)] // `line_of` serves the crate only
#[path = "src/normalize/toml_text.rs"]
mod toml_text;

#[path = "src/normalize/prebuilt/build.rs"]
mod automata;

#[path = "src/normalize/prebuilt/build_own.rs"]
mod own_automata;

#[path = "src/normalize/prebuilt/kept.rs"]
mod kept;

#[path = "src/normalize/prebuilt/own_sources.rs"]
mod own_sources;

fn main() {
    goldens();
    builtin_rules();
}

fn out_dir() -> std::path::PathBuf {
    std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
}

fn builtin_rules() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/default.toml");
    println!("cargo:rerun-if-changed={}", path.display());
    let fail = |message: String| -> ! { panic!("{}: {message}", path.display()) };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| fail(e.to_string()));
    let table: toml::Table = toml::from_str(&text).unwrap_or_else(|e| fail(e.to_string()));
    let mut rules: &[toml::Value] = &[];
    for (key, value) in &table {
        match (key.as_str(), value) {
            ("rule", toml::Value::Array(items)) => rules = items,
            _ => fail(format!("`{key}`: only [[rule]] tables are expected")),
        }
    }
    let headers = toml_text::header_lines(&text, "[[rule]]");
    if headers.len() != rules.len() {
        fail(format!(
            "{} `[[rule]]` header lines for {} rules: write each header on a line of its own",
            headers.len(),
            rules.len()
        ));
    }
    let mut entries = Vec::with_capacity(rules.len());
    for (rule, line) in rules.iter().zip(&headers) {
        if let Some(date) = datetime_in(rule) {
            fail(format!(
                "line {line}: unexpected date or time {date} in a rule"
            ));
        }
        let about = toml_text::comment_above(&text, *line);
        entries.push(serde_json::json!({"line": line, "about": about, "rule": rule}));
    }
    let json = serde_json::to_string(&entries).unwrap_or_else(|e| fail(e.to_string()));
    let out = out_dir().join("builtin_rules.json");
    std::fs::write(&out, json).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    automata::write(rules, &out_dir());
}

/// A TOML date or time anywhere in `value` (no rule takes one, and JSON has none).
fn datetime_in(value: &toml::Value) -> Option<&toml::value::Datetime> {
    match value {
        toml::Value::Datetime(date) => Some(date),
        toml::Value::Array(items) => items.iter().find_map(datetime_in),
        toml::Value::Table(table) => table.values().find_map(datetime_in),
        _ => None,
    }
}

fn goldens() {
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
    let out = out_dir().join("builtin_goldens.rs");
    std::fs::write(&out, code).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}
