//! Writes, for the crate to embed:
//! - the list of built-in goldens (`golden/*.md`, in name order) for `src/golden/mod.rs`, so
//!   adding a golden file is all it takes to ship it;
//! - the built-in rules (`rules/default.toml`) as JSON for `src/normalize/rules/mod.rs`: each
//!   `[[rule]]` table with the line of its header and the comment above it, so that the binary
//!   parses no TOML at start-up. A `rules/default.toml` that is not TOML, or holds anything but
//!   `[[rule]]` tables, fails the build; the tests check each rule.

use std::fmt::Write;
use std::path::Path;

#[allow(dead_code)] // `line_of` serves the crate only
#[path = "src/normalize/toml_text.rs"]
mod toml_text;

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
    let mut json = String::from("[");
    for (i, (rule, line)) in rules.iter().zip(&headers).enumerate() {
        if i > 0 {
            json.push_str(",\n");
        }
        let about = toml_text::comment_above(&text, *line);
        let _ = write!(json, "{{\"line\":{line},\"about\":");
        json_string(&mut json, &about);
        json.push_str(",\"rule\":");
        json_value(&mut json, rule).unwrap_or_else(|e| fail(format!("line {line}: {e}")));
        json.push('}');
    }
    json.push_str("]\n");
    let out = out_dir().join("builtin_rules.json");
    std::fs::write(&out, json).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}

/// Appends `value` as JSON (a TOML date or time is not expected in a rule).
fn json_value(out: &mut String, value: &toml::Value) -> Result<(), String> {
    match value {
        toml::Value::String(s) => json_string(out, s),
        toml::Value::Integer(n) => {
            let _ = write!(out, "{n}");
        }
        toml::Value::Float(x) if x.is_finite() => {
            let _ = write!(out, "{x:?}");
        }
        toml::Value::Boolean(b) => {
            let _ = write!(out, "{b}");
        }
        toml::Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_value(out, item)?;
            }
            out.push(']');
        }
        toml::Value::Table(table) => {
            out.push('{');
            for (i, (key, item)) in table.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(out, key);
                out.push(':');
                json_value(out, item)?;
            }
            out.push('}');
        }
        other => return Err(format!("unexpected value {other:?} in a rule")),
    }
    Ok(())
}

/// Appends `text` as a JSON string.
fn json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
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
