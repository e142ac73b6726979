//! Scanning one string of the collecting pass: the replacements its volatile matches get under
//! the string's context (a header, key or pointer rule) and the names offered for them.

use super::compiled::ContextAction;
use super::find::Found;
use super::model::Replace;
use super::pattern::expand_name;
use super::placeholders::{Offer, State, TIER_VALUE};
use super::record::Repl;

impl<'r> State<'r> {
    /// Scans `text[start..end]` under a context rule and an offered name.
    pub(super) fn scan(
        &mut self,
        text: &str,
        start: usize,
        end: usize,
        context: Option<&'r ContextAction>,
        offer: Offer<'_>,
    ) {
        if start >= end {
            return;
        }
        let mut found = std::mem::take(&mut self.found);
        found.clear();
        if !matches!(context, Some(ContextAction::Redact(_))) {
            self.find_memo(text, start, end, &mut found);
        }
        self.apply(text, start, end, context, &found, |_| offer);
        self.found = found;
    }

    /// Records the replacements of the matches `found` in `text[start..end]` (a string under
    /// `context`); `offer(i)` is the name offered for match `i`.
    pub(super) fn apply<'o>(
        &mut self,
        text: &str,
        start: usize,
        end: usize,
        context: Option<&'r ContextAction>,
        found: &[Found],
        offer: impl Fn(usize) -> Offer<'o>,
    ) {
        if let Some(ContextAction::Redact(constant)) = context {
            if !text[start..end].trim().is_empty() {
                let repl = self.constant(constant);
                self.record(start, end, repl);
            }
            return;
        }
        let context_replace = match context {
            Some(ContextAction::Replace(r, secret)) => Some((r, *secret)),
            _ => None,
        };
        if found.is_empty() && (context_replace.is_none() || text[start..end].trim().is_empty()) {
            return;
        }
        // A secret whose value holds more than its matches goes whole: then its matches get
        // no placeholder of their own (no number is used up).
        if let Some((ctx, secret)) = context_replace {
            let leftover = secret
                && (found.is_empty() || {
                    let mut at = start;
                    let mut other = false;
                    for f in found {
                        other |= has_content(&text[at..f.start]);
                        at = f.end;
                    }
                    other || has_content(&text[at..end])
                });
            if (found.is_empty() && ctx.whole) || leftover {
                let offer = offer(0);
                let repl = self.replace(&text[start..end], ctx, offer.tier(), || offer.name());
                self.record(start, end, repl);
                return;
            }
        }
        let rules = self.rules;
        for (i, &f) in found.iter().enumerate() {
            let offer = offer(i);
            let Some(rule_index) = f.rule else {
                self.keep(text, f, offer);
                continue;
            };
            let Some(value_rule) = rules.value_rules.get(rule_index) else {
                continue;
            };
            let raw = &text[f.start..f.end];
            let repl = match (&value_rule.action, context_replace) {
                (ContextAction::Redact(c), _) => self.constant(c),
                (ContextAction::Replace(own, _), _) if !own.numbered && own.named.is_none() => {
                    self.constant(&own.kind)
                }
                (ContextAction::Replace(own, _), Some((ctx, _))) => {
                    let tier = offer.tier().or(own.named.as_ref().map(|_| TIER_VALUE));
                    self.replace(raw, ctx, tier, || {
                        offer.name().or_else(|| own_name(own, raw))
                    })
                }
                (ContextAction::Replace(own, _), None) => {
                    let tier = own.named.as_ref().map(|_| TIER_VALUE).or(offer.tier());
                    self.replace(raw, own, tier, || {
                        own_name(own, raw).or_else(|| offer.name())
                    })
                }
            };
            self.record(f.start, f.end, repl);
        }
    }

    fn replace(
        &mut self,
        raw: &str,
        r: &'r Replace,
        tier: Option<u8>,
        name: impl FnOnce() -> Option<(u8, String)>,
    ) -> Repl {
        if r.numbered || r.named.is_some() {
            self.entry(raw, &r.kind, tier, name)
        } else {
            self.constant(&r.kind)
        }
    }
}

/// True when a piece of a secret's value around its matched tokens is more than blank or the
/// quoting of a Python bytes or str repr (`b'`, `b"`, `'`, `"`): then the whole value goes.
fn has_content(text: &str) -> bool {
    !matches!(text.trim(), "" | "b'" | "b\"" | "'" | "\"")
}

fn own_name(own: &Replace, raw: &str) -> Option<(u8, String)> {
    own.named
        .as_ref()
        .and_then(|t| expand_name(t, Some(raw), None))
        .map(|n| (TIER_VALUE, n))
}

#[cfg(test)]
mod tests {
    use super::has_content;

    #[test]
    fn only_repr_quoting_around_a_secret_is_not_content() {
        for quoting in ["", "  ", "b'", "'", "b\"", "\""] {
            assert!(!has_content(quoting), "{quoting:?}");
        }
        for content in ["bb", "Bearer ", "token=", "b'x", ", "] {
            assert!(has_content(content), "{content:?}");
        }
    }
}
