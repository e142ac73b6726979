//! Writes, for the crate to embed:
//! - the list of built-in goldens (`golden/*.md`, in name order) for `src/golden/mod.rs`, so
//!   adding a golden file is all it takes to ship it;
//! - the built-in rules (`rules/default.toml`) as Rust code for `src/normalize/load.rs`: each
//!   `[[rule]]` table, with the line of its header and the comment above it, as the value its
//!   TOML would deserialize to, so that the binary parses neither TOML nor JSON at start-up.
//!   A `rules/default.toml` that is not TOML, or holds anything but `[[rule]]` tables, fails
//!   the build (a key no rule has fails to compile); the tests check each rule;
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

#[path = "src/normalize/prebuilt/call_regex.rs"]
mod call_regex;

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
    let mut code = String::from(
        "// Written by build.rs from rules/default.toml: each `[[rule]]` table with the line of\n\
         // its header and the comment above it.\n\
         vec![\n",
    );
    for (rule, line) in rules.iter().zip(&headers) {
        let about = toml_text::comment_above(&text, *line);
        let Some(table) = rule.as_table() else {
            fail(format!("line {line}: a rule is a table"));
        };
        let _ = write!(code, "    ({line}, {about:?}, RawRule {{ ");
        for (key, value) in table {
            let literal = literal(value).unwrap_or_else(|| {
                fail(format!(
                    "line {line}: `{key}`: unexpected {}",
                    value.type_str()
                ))
            });
            let _ = write!(code, "{key}: field({literal}), ");
        }
        code.push_str("..RawRule::default() }),\n");
    }
    code.push_str("]\n");
    let out = out_dir().join("builtin_rules.rs");
    std::fs::write(&out, code).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
    automata::write(rules, &out_dir());
}

/// `value` as a Rust literal for `field` (`src/normalize/load.rs`): a string, a boolean, an
/// integer, or an array of strings or of integers; `None` for anything else.
fn literal(value: &toml::Value) -> Option<String> {
    Some(match value {
        toml::Value::String(text) => format!("{text:?}"),
        toml::Value::Boolean(flag) => flag.to_string(),
        toml::Value::Integer(number) => number.to_string(),
        toml::Value::Array(items) => {
            let scalar = |item: &toml::Value| match item {
                toml::Value::String(_) | toml::Value::Integer(_) => literal(item),
                _ => None,
            };
            let items: Vec<String> = items.iter().map(scalar).collect::<Option<_>>()?;
            format!("&[{}][..]", items.join(", "))
        }
        _ => return None,
    })
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
