//! The collecting pass's view of contexts: what a path segment, a query parameter, a header
//! or a JSON key says about the values inside, memoized per name.

use super::assign::Assignment;
use super::compiled::{Compiled, ContextAction, HeaderInfo};
use super::find::Found;
use super::pattern::expand_name;
use super::placeholders::{Offer, State, TIER_HEADER, TIER_KEY, TIER_PARENT, TIER_SEGMENT};
use super::prescan::Prescan;
use super::record::encode;
use super::walk::{Ctx, Visit};
use crate::intern::Interner;
use compact_str::CompactString;
use rustc_hash::FxHashMap;

/// The collecting pass: scanning state plus memos of what rules say about each name.
pub(super) struct Collector<'r> {
    st: State<'r>,
    headers: FxHashMap<String, HeaderInfo>,
    keys: KeyMemo,
    /// The pointer rules that can match an array element (a value without a key).
    unkeyed: Option<Box<[u32]>>,
    segments: FxHashMap<String, Option<String>>,
    found: Vec<Found>,
    /// The next visited string was a number or boolean when the strings were scanned ahead.
    unscanned: bool,
    /// Which visited strings (by number) were rewritten into their intermediate form.
    rewritten: Vec<u64>,
    /// The intermediate form being written (reused).
    scratch: String,
}

impl<'r> Collector<'r> {
    /// A collector for one trace, knowing its declared `(name, raw value)` variables.
    /// `prescan` holds the matches scanned ahead, if any.
    pub(super) fn new(
        rules: &'r Compiled,
        variables: &[(String, String)],
        prescan: Prescan,
    ) -> Collector<'r> {
        let mut st = State::new(rules, variables);
        st.prescan = prescan;
        Collector {
            st,
            headers: FxHashMap::default(),
            keys: KeyMemo::default(),
            unkeyed: None,
            segments: FxHashMap::default(),
            found: Vec::new(),
            unscanned: false,
            rewritten: Vec::new(),
            scratch: String::new(),
        }
    }

    /// Assigns the placeholders.
    pub(super) fn finish(self) -> Assignment {
        self.st.finish().rewritten(self.rewritten)
    }

    /// The visited string `text` with the replacements just recorded for it in their
    /// intermediate form ([`encode`]), which the rewriting pass turns into placeholders: the
    /// raw value goes now, and no list of replacements grows with the trace.
    fn rewrite(&mut self, text: &str) -> Option<CompactString> {
        let seq = self.st.seq;
        let spans = &mut self.st.spans;
        let own = spans
            .iter()
            .rev()
            .take_while(|s| s.seq as usize == seq)
            .count();
        if own == 0 {
            return None;
        }
        let from = spans.len() - own;
        encode(text, &mut spans[from..], &mut self.scratch);
        spans.truncate(from);
        let (word, bit) = (seq / 64, seq % 64);
        if self.rewritten.len() <= word {
            self.rewritten.resize(word + 1, 0);
        }
        self.rewritten[word] |= 1 << bit;
        Some(CompactString::from(self.scratch.as_str()))
    }

    /// A path, scanned once; a value filling a whole segment is named after the segment
    /// before it (`/images/<uuid>` -> `image_id`).
    fn path(&mut self, text: &str) {
        let rules = self.st.rules;
        let mut found = std::mem::take(&mut self.found);
        found.clear();
        self.st.find_memo(text, 0, text.len(), &mut found);
        let mut names: Vec<Option<String>> = Vec::with_capacity(found.len());
        for f in &found {
            let seg_start = text[..f.start].rfind('/').map_or(0, |i| i + 1);
            let seg_end = text[f.end..].find('/').map_or(text.len(), |i| f.end + i);
            let whole = seg_start == f.start && seg_end == f.end && seg_start > 0;
            let prev = whole.then(|| {
                let before = &text[..seg_start - 1];
                &before[before.rfind('/').map_or(0, |i| i + 1)..]
            });
            names.push(prev.and_then(|segment| {
                if !self.segments.contains_key(segment) {
                    let name = rules.segments.iter().find_map(|(re, template)| {
                        let v = re.first_v(segment)?.map_or(segment, |v| &segment[v]);
                        expand_name(template, Some(v), None)
                    });
                    self.segments.insert(segment.to_string(), name);
                }
                self.segments.get(segment).cloned().flatten()
            }));
        }
        self.st.apply(text, 0, text.len(), None, &found, |i| Offer {
            tier: TIER_SEGMENT,
            ready: names.get(i).and_then(Option::as_deref),
            ..Offer::default()
        });
        self.found = found;
    }

    fn query(&mut self, text: &str) {
        let mut at = 0;
        for pair in text.split('&') {
            let (start, end) = (at, at + pair.len());
            at = end + 1;
            match pair.find('=') {
                Some(eq) => {
                    self.st
                        .scan(text, start, start + eq, None, Offer::default());
                    self.keyed(text, start + eq + 1, end, Some(&pair[..eq]), None, None);
                }
                None => self.st.scan(text, start, end, None, Offer::default()),
            }
        }
    }

    /// A JSON string or query value under `key`, inside an object under `parent`.
    fn keyed(
        &mut self,
        text: &str,
        start: usize,
        end: usize,
        key: Option<&str>,
        parent: Option<&str>,
        pointer: Option<&str>,
    ) {
        let rules = self.st.rules;
        let (action, capture) =
            match context_rule(&mut self.keys, &mut self.unkeyed, rules, key, pointer) {
                Some((action, capture)) => (Some(action), capture),
                None => (None, None),
            };
        let action = action.and_then(|i| rules.actions.get(i));
        let template = match action {
            Some(ContextAction::Replace(r, _)) => r.named.as_deref(),
            _ => None,
        };
        let tier = match template {
            Some(t) if t.contains("{parent") => TIER_PARENT,
            _ => TIER_KEY,
        };
        let offer = Offer {
            tier,
            template,
            capture,
            parent,
            ready: None,
        };
        self.st.scan(text, start, end, action, offer);
    }

    fn header(&mut self, name: &str, text: &str) {
        let rules = self.st.rules;
        let info = match self.headers.get(name) {
            Some(info) => *info,
            None => {
                let info = rules.header(name);
                self.headers.insert(name.to_string(), info);
                info
            }
        };
        let action = info.action.and_then(|i| rules.actions.get(i));
        let template = match action {
            Some(ContextAction::Replace(r, _)) => r.named.as_deref(),
            _ => None,
        };
        let offer = Offer {
            tier: TIER_HEADER,
            template,
            ..Offer::default()
        };
        self.st.scan(text, 0, text.len(), action, offer);
    }
}

impl Visit for Collector<'_> {
    fn visit(&mut self, text: &str, ctx: Ctx<'_>) -> Option<CompactString> {
        let ahead = match std::mem::take(&mut self.unscanned) {
            true => None,
            false => self.st.prescan.next(),
        };
        self.st.ahead = if matches!(ctx, Ctx::Query) {
            None
        } else {
            ahead
        };
        match ctx {
            Ctx::Path | Ctx::Query => {
                self.st.scanning_call = true;
                if matches!(ctx, Ctx::Path) {
                    self.path(text);
                } else {
                    self.query(text);
                }
                self.st.scanning_call = false;
            }
            Ctx::Header(name) => self.header(name, text),
            Ctx::Json {
                key,
                parent,
                pointer,
            } => self.keyed(text, 0, text.len(), key, parent, Some(pointer)),
            Ctx::Text => self.st.scan(text, 0, text.len(), None, Offer::default()),
        }
        let rewritten = self.rewrite(text);
        self.st.seq += 1;
        self.st.ahead = None;
        rewritten
    }

    fn enter(&mut self, exchange: usize, part: usize) {
        self.st.prescan.enter(exchange, part);
    }

    fn secret_scalar(&mut self, key: Option<&str>, pointer: &str) -> bool {
        let rules = self.st.rules;
        let secret = context_rule(&mut self.keys, &mut self.unkeyed, rules, key, Some(pointer))
            .and_then(|(action, _)| rules.actions.get(action))
            .is_some_and(ContextAction::is_secret);
        self.unscanned |= secret;
        secret
    }

    fn visit_key(&mut self, key: &str) -> Option<CompactString> {
        self.st.ahead = self.st.prescan.next();
        self.st.scan(key, 0, key.len(), None, Offer::default());
        self.st.seq += 1;
        self.st.ahead = None;
        None
    }
}

/// What the rules say about the values under one JSON key or query parameter.
struct KeyRules {
    /// The first matching key rule, as an index into [`Compiled::actions`], with its `v` capture.
    rule: Option<(usize, Option<String>)>,
    /// The pointer rules that can match a pointer ending in the key (most keys: none).
    pointers: Box<[u32]>,
}

/// [`KeyRules`] memoized per key (a trace repeats few keys millions of times): one hash per
/// look-up of a key seen before.
type KeyMemo = Interner<KeyRules>;

/// What the rules say about `key`, asked of them on first sight.
fn key_rules<'k>(keys: &'k mut KeyMemo, rules: &Compiled, key: &str) -> &'k KeyRules {
    let at = keys.intern(key, || KeyRules {
        rule: rules.key(key),
        pointers: rules.pointer_candidates(Some(key)),
    });
    &keys[at]
}

/// The context rule of a value under JSON key or query parameter `key` at `pointer`: the first
/// matching pointer rule, else the first matching key rule, as an index into
/// [`Compiled::actions`] with the key rule's `v` capture. What the rules say about each key is
/// memoized in `keys` (in `unkeyed` for array elements).
fn context_rule<'k>(
    keys: &'k mut KeyMemo,
    unkeyed: &mut Option<Box<[u32]>>,
    rules: &Compiled,
    key: Option<&str>,
    pointer: Option<&str>,
) -> Option<(usize, Option<&'k str>)> {
    let Some(key) = key else {
        let pointer = pointer.filter(|_| !rules.pointer_rules.is_empty())?;
        let candidates = unkeyed.get_or_insert_with(|| rules.pointer_candidates(None));
        return rules
            .pointer_among(candidates, pointer, None)
            .map(|action| (action, None));
    };
    let known = key_rules(keys, rules, key);
    if let Some(pointer) = pointer {
        if let Some(action) = rules.pointer_among(&known.pointers, pointer, Some(key)) {
            return Some((action, None));
        }
    }
    let (action, capture) = known.rule.as_ref()?;
    Some((*action, capture.as_deref()))
}
