//! The source tree's layout: no source files depend on each other in a cycle (`a` uses `b`,
//! which uses `a`, directly or through others). A cycle is a sign of files split to fit a line
//! count rather than by responsibility; each one that was found was broken by giving what both
//! sides shared a module of its own.
//!
//! A file's dependencies are the modules its code names by path from the crate (`crate::…`,
//! `super::…`, `self::…`, grouped `use` lists included), comments and unit tests left out. A
//! module and its own ancestors or descendants are not counted as depending on each other: a
//! parent declares and re-exports its children, which use what it defines.

use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::LazyLock;

/// A source file of the library: where it is under `src/`, and its text.
struct Source {
    file: String,
    text: String,
}

/// Every `.rs` file of the library under `src/` by its module path (`compare::view`, `compare`
/// for `compare/mod.rs`, `""` for `lib.rs`); `main.rs` is the binary's crate, not the library's.
fn modules(src: &Path) -> BTreeMap<String, Source> {
    let mut found = BTreeMap::new();
    for (file, bytes) in crate::bless::tree(src) {
        let Some(stem) = file.strip_suffix(".rs") else {
            continue;
        };
        if stem == "main" {
            continue;
        }
        let mut parts: Vec<&str> = stem.split(std::path::MAIN_SEPARATOR).collect();
        if parts.last() == Some(&"mod") || parts == ["lib"] {
            parts.pop();
        }
        let text = String::from_utf8(bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        found.insert(parts.join("::"), Source { file, text });
    }
    found
}

/// A file's code without comments and without its unit tests (`tests.rs` files, and an inline
/// `#[cfg(test)] mod tests`, which by this crate's convention ends its file).
fn code(source: &Source) -> String {
    static COMMENT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"//[^\n]*").expect("regex"));
    static TESTS: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"#\[cfg\(test\)\]\s*mod tests\s*\{").expect("regex"));
    if Path::new(&source.file)
        .file_name()
        .is_some_and(|n| n == "tests.rs")
    {
        return String::new();
    }
    let without_comments = COMMENT.replace_all(&source.text, "");
    match TESTS.find(&without_comments) {
        Some(at) => without_comments[..at.start()].to_string(),
        None => without_comments.into_owned(),
    }
}

/// The paths `code` names from the crate, each as its segments (`["super", "html", "escape"]`),
/// grouped lists expanded (`crate::a::{b, c::{d, e}}` gives `crate::a::b`, `crate::a::c::d`, …).
fn paths(code: &str) -> Vec<Vec<String>> {
    static START: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)*)(::\{)?").expect("regex")
    });
    let mut found = Vec::new();
    for caps in START.captures_iter(code) {
        if caps[2].is_empty() && caps.get(3).is_none() {
            // A bare `self` (a method's receiver) or `crate`: no path.
            continue;
        }
        let mut prefix = vec![caps[1].to_string()];
        prefix.extend(
            caps[2]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string),
        );
        match caps.get(3) {
            Some(open) => expand(&prefix, &code[open.end()..], &mut found),
            None => found.push(prefix),
        }
    }
    found
}

/// The paths of the group that `rest` starts inside (just after its `{`), each after `prefix`.
fn expand(prefix: &[String], rest: &str, found: &mut Vec<Vec<String>>) {
    let mut depth = 0;
    let mut item = String::new();
    let mut items = Vec::new();
    for c in rest.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(std::mem::take(&mut item));
                continue;
            }
            _ => {}
        }
        item.push(c);
    }
    items.push(item);
    for item in items {
        let item: String = item.split_whitespace().collect::<Vec<_>>().join(" ");
        let item = item.split(" as ").next().unwrap_or_default();
        if item.is_empty() || item == "self" || item == "*" {
            found.push(prefix.to_vec());
            continue;
        }
        let (head, group) = match item.find("::{") {
            Some(at) => (&item[..at], Some(&item[at + 3..])),
            None => (item, None),
        };
        let mut path = prefix.to_vec();
        path.extend(head.split("::").map(|s| s.trim().to_string()));
        match group {
            Some(group) => expand(&path, group, found),
            None => found.push(path),
        }
    }
}

/// The module `path` names from the module `current`: the longest of its prefixes that is a
/// file's module.
fn resolve(current: &str, path: &[String], modules: &BTreeMap<String, Source>) -> Option<String> {
    let mut full: Vec<&str> = Vec::new();
    let mut rest = path;
    match path.first().map(String::as_str) {
        Some("crate") => rest = &path[1..],
        Some("self") | Some("super") => {
            full.extend(current.split("::").filter(|s| !s.is_empty()));
            while let Some((first, tail)) = rest.split_first() {
                match first.as_str() {
                    "super" => {
                        full.pop();
                    }
                    "self" => {}
                    _ => break,
                }
                rest = tail;
            }
        }
        _ => return None,
    }
    full.extend(rest.iter().map(String::as_str));
    (1..=full.len())
        .rev()
        .map(|len| full[..len].join("::"))
        .find(|module| modules.contains_key(module))
}

/// Whether one of the two modules is the other or holds it.
fn related(a: &str, b: &str) -> bool {
    a == b
        || a.is_empty()
        || b.is_empty()
        || b.starts_with(&format!("{a}::"))
        || a.starts_with(&format!("{b}::"))
}

/// Each module's dependencies on other modules (not its ancestors or descendants).
fn dependencies(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules(src);
    let mut uses = BTreeMap::new();
    for (module, source) in &modules {
        let used: BTreeSet<String> = paths(&code(source))
            .iter()
            .filter_map(|p| resolve(module, p, &modules))
            .filter(|target| !related(module, target))
            .collect();
        uses.insert(module.clone(), used);
    }
    uses
}

/// The groups of two or more modules that depend on each other (strongly connected
/// components, Tarjan's algorithm), each sorted, in order.
fn cycles(uses: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Search<'a> {
        uses: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Search<'a> {
        fn visit(&mut self, v: &'a str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.uses.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut group = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    group.push(w.to_string());
                    if w == v {
                        break;
                    }
                }
                if group.len() > 1 {
                    group.sort();
                    self.found.push(group);
                }
            }
        }
    }
    let mut search = Search {
        uses,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in uses.keys() {
        if !search.index.contains_key(v.as_str()) {
            search.visit(v);
        }
    }
    search.found.sort();
    search.found
}

#[test]
fn no_source_files_depend_on_each_other_in_a_cycle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let uses = dependencies(&src);
    // The reading of dependencies sees what the code names, grouped lists included.
    let seen = |from: &str, to: &str| uses.get(from).is_some_and(|u| u.contains(to));
    assert!(
        seen("report::svg", "report::markup"),
        "{:?}",
        uses.get("report::svg")
    );
    assert!(
        seen("report::html", "report::svg"),
        "{:?}",
        uses.get("report::html")
    );
    assert!(
        seen("compare::view", "compare::sides"),
        "{:?}",
        uses.get("compare::view")
    );
    let found = cycles(&uses);
    assert!(
        found.is_empty(),
        "source files that depend on each other: {found:?}"
    );
}

#[test]
fn the_cycle_search_finds_cycles_of_any_length_and_only_those() {
    let graph = |edges: &[(&str, &str)]| {
        let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (from, to) in edges {
            uses.entry(from.to_string())
                .or_default()
                .insert(to.to_string());
            uses.entry(to.to_string()).or_default();
        }
        uses
    };
    let names = |groups: &[&[&str]]| -> Vec<Vec<String>> {
        groups
            .iter()
            .map(|g| g.iter().map(|s| s.to_string()).collect())
            .collect()
    };
    assert_eq!(
        cycles(&graph(&[("a", "b"), ("b", "c"), ("a", "c")])),
        names(&[])
    );
    assert_eq!(
        cycles(&graph(&[("a", "b"), ("b", "a"), ("c", "a")])),
        names(&[&["a", "b"]])
    );
    assert_eq!(
        cycles(&graph(&[
            ("a", "b"),
            ("b", "c"),
            ("c", "a"),
            ("d", "e"),
            ("e", "d")
        ])),
        names(&[&["a", "b", "c"], &["d", "e"]])
    );
    // Grouped lists, renames and nested groups are read as the paths they name.
    let named = paths("use super::{diagram::{Call, Item}, html as page, self};\nuse crate::x::y;");
    let named: Vec<String> = named.iter().map(|p| p.join("::")).collect();
    assert_eq!(
        named,
        [
            "super::diagram::Call",
            "super::diagram::Item",
            "super::html",
            "super",
            "crate::x::y"
        ]
    );
}
