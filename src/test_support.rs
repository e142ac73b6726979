//! What unit tests share: the fixture and seed captures, and traces made from them.

use crate::trace::{Event, Exchange, Trace};
use std::path::{Path, PathBuf};

/// The text of `tests/fixtures/NAME`.
pub(crate) fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every file of the fixtures and of the seed captures beside the project, in name order.
pub(crate) fn fixture_and_seed_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    for dir in [root.join("tests/fixtures"), root.join("../shared/seeds")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<_> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
        paths.sort();
        all.extend(paths);
    }
    all
}

/// Every capture among [`fixture_and_seed_files`] (not their READMEs and scripts), by path.
pub(crate) fn captures() -> Vec<(String, String)> {
    fixture_and_seed_files()
        .into_iter()
        .filter(|p| !p.ends_with("README.md") && p.extension().is_some_and(|e| e != "py"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("a capture");
            (path.display().to_string(), text)
        })
        .collect()
}

/// A hook Markdown capture whose client goes by one of its aliases in its first section only:
/// two names the capture tells apart become one under their canonical names.
pub(crate) fn client_alias_in_first_section(text: &str) -> String {
    let (client, alias) = ("`openstack`", "`osc`");
    let at = text.find(client).expect("the client's name");
    format!("{}{alias}{}", &text[..at], &text[at + client.len()..])
}

/// `trace` followed by `times - 1` copies of itself (parents and events shifted).
pub(crate) fn repeated(trace: &Trace, times: usize) -> Trace {
    let mut out = trace.clone();
    for copy in 1..times {
        let shift = copy * trace.exchanges.len();
        out.exchanges
            .extend(trace.exchanges.iter().map(|e| Exchange {
                parent: e.parent.map(|p| p + shift),
                ..e.clone()
            }));
        out.events.extend(trace.events.iter().map(|e| Event {
            exchange: e.exchange + shift,
            ..*e
        }));
    }
    out
}
