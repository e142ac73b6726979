//! Reading rules files: TOML `[[rule]]` tables into [`Rule`]s, reporting every bad rule with its
//! file and line.

use super::model::{Action, By, CallSpec, Matcher, Origin, Replace, Rule};
use super::pattern::{check_template, header_glob_regex, PointerPattern};
use super::toml_text::comment_above;
pub(crate) use super::toml_text::{header_lines, line_of};
use crate::error::Error;
use crate::severity::Severity;
use serde::Deserialize;
use std::path::Path;

/// One `[[rule]]` table as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: Option<String>,
    action: Option<String>,
    enabled: Option<bool>,
    value: Option<String>,
    header: Option<OneOrMany>,
    key: Option<String>,
    pointer: Option<OneOrMany>,
    segment: Option<String>,
    caller: Option<String>,
    callee: Option<String>,
    method: Option<String>,
    path: Option<String>,
    by: Option<String>,
    finding: Option<String>,
    placeholder: Option<String>,
    numbered: Option<bool>,
    named: Option<String>,
    whole: Option<bool>,
    severity: Option<String>,
    service: Option<String>,
    aliases: Option<Vec<String>>,
    mount: Option<String>,
    client: Option<bool>,
    identity: Option<bool>,
    ports: Option<Vec<u16>>,
    keys: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

const ACTIONS: &str = "placeholder, secret, redact, ignore, contract, capture-point, ordered, \
                       unordered, element-identity, pin, severity, cache-dependent, service";

/// Parses the text of a rules file. `path` is used in error messages only.
pub(crate) fn parse_rules(text: &str, path: &Path, origin: &Origin) -> Result<Vec<Rule>, Error> {
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(0, |s| line_of(text, s.start));
        let message = e.message().trim_end().replace('\n', "; ");
        input_error(path, line, format!("invalid TOML: {message}"))
    })?;
    let headers = header_lines(text, "[[rule]]");
    let mut loaded = Loaded::new(path);
    for (key, value) in table {
        if key != "rule" {
            loaded.errors.push(input_error(
                path,
                0,
                format!("unknown top-level key `{key}`, expected [[rule]] tables"),
            ));
            continue;
        }
        let toml::Value::Array(items) = value else {
            loaded.errors.push(input_error(
                path,
                0,
                "`rule` must be an array of [[rule]] tables".into(),
            ));
            continue;
        };
        for (i, item) in items.into_iter().enumerate() {
            let line = headers.get(i).copied().unwrap_or(0);
            let comment = comment_above(text, line);
            let label = label(item.get("name").and_then(toml::Value::as_str), i);
            match item.try_into::<RawRule>() {
                Err(e) => loaded.errors.push(input_error(
                    path,
                    line,
                    format!("rule {label}: {}", e.message().trim_end()),
                )),
                Ok(raw) => loaded.add(build(raw, origin, line, comment), &label, line),
            }
        }
    }
    loaded.finish()
}

/// The built-in rules as `build.rs` writes them from `rules/default.toml`: each `[[rule]]`
/// table as the [`RawRule`] its TOML deserializes to, with the line of its header and the
/// comment above it.
fn builtin_tables() -> Vec<(usize, &'static str, RawRule)> {
    include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"))
}

/// A value of a `[[rule]]` table as `build.rs` writes it: a Rust literal, converted to the
/// field's type as TOML deserializes it.
trait Literal<T> {
    fn field(self) -> T;
}

impl Literal<Option<String>> for &str {
    fn field(self) -> Option<String> {
        Some(self.to_string())
    }
}

impl Literal<Option<bool>> for bool {
    fn field(self) -> Option<bool> {
        Some(self)
    }
}

impl Literal<Option<OneOrMany>> for &str {
    fn field(self) -> Option<OneOrMany> {
        Some(OneOrMany::One(self.to_string()))
    }
}

impl Literal<Option<OneOrMany>> for &[&str] {
    fn field(self) -> Option<OneOrMany> {
        Some(OneOrMany::Many(
            self.iter().map(|s| s.to_string()).collect(),
        ))
    }
}

impl Literal<Option<Vec<String>>> for &[&str] {
    fn field(self) -> Option<Vec<String>> {
        Some(self.iter().map(|s| s.to_string()).collect())
    }
}

impl Literal<Option<Vec<u16>>> for &[u16] {
    fn field(self) -> Option<Vec<u16>> {
        Some(self.to_vec())
    }
}

/// `literal` as a field of type `T`.
fn field<T>(literal: impl Literal<T>) -> T {
    literal.field()
}

/// The built-in rules (no TOML is parsed at run time), each checked as [`parse_rules`] checks
/// a file's rules. `path` is used in error messages only.
pub(crate) fn parse_builtin_rules(path: &Path) -> Result<Vec<Rule>, Error> {
    let mut loaded = Loaded::new(path);
    for (i, (line, about, raw)) in builtin_tables().into_iter().enumerate() {
        let label = label(raw.name.as_deref(), i);
        let rule = build(raw, &Origin::Builtin, line, about.to_string());
        loaded.add(rule, &label, line);
    }
    loaded.finish()
}

fn input_error(path: &Path, line: usize, message: String) -> Error {
    Error::Input {
        path: path.to_path_buf(),
        line,
        message,
    }
}

/// How a rule is named in messages: by its name, else by its place (`#3`, counting from 1).
fn label(name: Option<&str>, index: usize) -> String {
    name.map_or_else(|| format!("#{}", index + 1), |n| format!("`{n}`"))
}

/// The rules of one file read so far, and the errors found.
struct Loaded<'p> {
    path: &'p Path,
    rules: Vec<Rule>,
    errors: Vec<Error>,
}

impl<'p> Loaded<'p> {
    fn new(path: &'p Path) -> Loaded<'p> {
        Loaded {
            path,
            rules: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// Adds a rule built from the table at `line` (named `label` in messages), or its error.
    fn add(&mut self, built: Result<Rule, String>, label: &str, line: usize) {
        let message = match built {
            Ok(rule) if self.rules.iter().any(|r| r.name == rule.name) => {
                "duplicate rule name".to_string()
            }
            Ok(rule) => return self.rules.push(rule),
            Err(message) => message,
        };
        let error = input_error(self.path, line, format!("rule {label}: {message}"));
        self.errors.push(error);
    }

    /// The rules, or the one error, or every error.
    fn finish(mut self) -> Result<Vec<Rule>, Error> {
        match self.errors.len() {
            0 => Ok(self.rules),
            1 => Err(self.errors.remove(0)),
            _ => Err(Error::Many(self.errors)),
        }
    }
}

fn check_regex(field: &str, source: &str) -> Result<(), String> {
    regex::Regex::new(source).map(|_| ()).map_err(|e| {
        let text = e.to_string();
        let detail = text
            .lines()
            .rev()
            .find(|l| l.starts_with("error:"))
            .map_or(text.as_str(), |l| l.trim_start_matches("error:").trim());
        format!("invalid regex in `{field}`: {detail}")
    })
}

/// Builds one rule from its table: one matcher, an action that fits it. The regexes of the
/// built-in rules are not compiled here (`builtin_rules_load_and_compile` checks them in the
/// tests, and the rule set compiles each on first use); those of rules files are.
fn build(raw: RawRule, origin: &Origin, line: usize, about: String) -> Result<Rule, String> {
    let name = raw.name.clone().ok_or("missing `name`")?;
    let action_name = raw.action.clone().ok_or("missing `action`")?;
    let has_call = one_matcher(&raw)?;
    let matcher = matcher(raw_matcher(&raw, has_call)?, *origin != Origin::Builtin)?;
    let action = action(&raw, &matcher, &action_name)?;
    Ok(Rule {
        name,
        about,
        origin: origin.clone(),
        line,
        enabled: raw.enabled.unwrap_or(true),
        matcher,
        action,
    })
}

/// Checks that a raw rule names at most one matcher; true when it has call fields.
fn one_matcher(raw: &RawRule) -> Result<bool, String> {
    let matchers = [
        raw.value.is_some(),
        raw.header.is_some(),
        raw.key.is_some(),
        raw.pointer.is_some(),
        raw.segment.is_some(),
        raw.service.is_some(),
    ]
    .iter()
    .filter(|&&m| m)
    .count();
    let has_call = raw.caller.is_some()
        || raw.callee.is_some()
        || raw.method.is_some()
        || raw.path.is_some()
        || raw.by.is_some()
        || raw.finding.is_some();
    if matchers > 1 || (matchers == 1 && has_call) {
        return Err(
            "more than one matcher (use one of value, header, key, pointer, segment, \
                    service, or call fields)"
                .into(),
        );
    }
    Ok(has_call)
}

/// The action a raw rule names, checked against its matcher.
fn action(raw: &RawRule, matcher: &Matcher, action_name: &str) -> Result<Action, String> {
    Ok(match action_name {
        "placeholder" | "secret" => replacing(raw, matcher, action_name)?,
        "redact" => {
            need(matcher, &["value", "header", "key", "pointer"], "redact")?;
            Action::Redact(raw.placeholder.clone().unwrap_or_else(|| "redacted".into()))
        }
        "ignore" => {
            need(matcher, &["header"], "ignore")?;
            Action::Ignore
        }
        "contract" => {
            need(matcher, &["header"], "contract")?;
            Action::Contract
        }
        "capture-point" => {
            need(matcher, &["header"], "capture-point")?;
            Action::CapturePoint
        }
        "ordered" | "unordered" | "pin" => {
            need(matcher, &["pointer", "key"], action_name)?;
            match action_name {
                "ordered" => Action::Ordered,
                "unordered" => Action::Unordered,
                _ => Action::Pin,
            }
        }
        "element-identity" => {
            need(matcher, &["pointer", "key"], action_name)?;
            match &raw.keys {
                Some(keys) if !keys.is_empty() => Action::ElementIdentity(keys.clone()),
                _ => return Err("missing `keys` (the keys identifying an element)".into()),
            }
        }
        "severity" => {
            need(matcher, &["call"], "severity")?;
            Action::Severity(severity(raw)?)
        }
        "cache-dependent" => {
            need(matcher, &["call"], "cache-dependent")?;
            Action::CacheDependent
        }
        "service" => {
            need(matcher, &["service"], "service")?;
            service(raw)?
        }
        other => return Err(format!("unknown action `{other}` (expected {ACTIONS})")),
    })
}

/// The `placeholder` or `secret` action (`action_name`) of a raw rule, checked against its
/// matcher: a value, header, key or pointer, or a segment with `named`.
fn replacing(raw: &RawRule, matcher: &Matcher, action_name: &str) -> Result<Action, String> {
    let replace = replace(raw, action_name == "secret")?;
    let fits = match matcher {
        Matcher::Value(_) | Matcher::Header(_) | Matcher::Key(_) | Matcher::Pointer(_) => true,
        Matcher::Segment(_) => replace.named.is_some(),
        _ => false,
    };
    if !fits {
        return Err(format!(
            "action `{action_name}` needs a value, header, key or pointer matcher \
             (or a segment with `named`)"
        ));
    }
    Ok(if action_name == "secret" {
        Action::Secret(replace)
    } else {
        Action::Placeholder(replace)
    })
}

/// The severity a `severity` rule gives its calls' findings (`None`: `ignore`, no finding).
fn severity(raw: &RawRule) -> Result<Option<Severity>, String> {
    let text = raw.severity.as_deref().ok_or("missing `severity`")?;
    match text {
        "ignore" => Ok(None),
        _ => Severity::parse(text).map(Some).ok_or_else(|| {
            format!("unknown severity `{text}` (expected info, warning, breaking or ignore)")
        }),
    }
}

/// The `service` action of a raw rule: the service's aliases, mount path (checked), ports and
/// roles.
fn service(raw: &RawRule) -> Result<Action, String> {
    if let Some(mount) = &raw.mount {
        if !mount.starts_with('/') || mount.len() < 2 {
            return Err(format!("mount `{mount}` must be a path such as `/image`"));
        }
    }
    Ok(Action::Service {
        aliases: raw.aliases.clone().unwrap_or_default(),
        mount: raw
            .mount
            .clone()
            .map(|m| m.trim_end_matches('/').to_string()),
        ports: raw.ports.clone().unwrap_or_default(),
        client: raw.client.unwrap_or(false),
        identity: raw.identity.unwrap_or(false),
    })
}

/// The matcher a raw rule names, before validation.
enum RawMatcher {
    Value(String),
    Header(Vec<String>),
    Key(String),
    Pointer(Vec<String>),
    Segment(String),
    Service(String),
    Call(CallSpec),
}

fn raw_matcher(raw: &RawRule, has_call: bool) -> Result<RawMatcher, String> {
    if let Some(v) = &raw.value {
        return Ok(RawMatcher::Value(v.clone()));
    }
    if let Some(h) = &raw.header {
        return Ok(RawMatcher::Header(h.to_vec()));
    }
    if let Some(k) = &raw.key {
        return Ok(RawMatcher::Key(k.clone()));
    }
    if let Some(p) = &raw.pointer {
        return Ok(RawMatcher::Pointer(p.to_vec()));
    }
    if let Some(s) = &raw.segment {
        return Ok(RawMatcher::Segment(s.clone()));
    }
    if let Some(s) = &raw.service {
        return Ok(RawMatcher::Service(s.clone()));
    }
    if has_call || raw.action.as_deref() == Some("severity") {
        let by = match raw.by.as_deref() {
            None | Some("any") => By::Any,
            Some("client") => By::Client,
            Some("service") => By::Service,
            Some(other) => {
                return Err(format!(
                    "unknown `by` value `{other}` (expected client, service or any)"
                ))
            }
        };
        return Ok(RawMatcher::Call(CallSpec {
            caller: raw.caller.clone(),
            callee: raw.callee.clone(),
            method: raw.method.clone(),
            path: raw.path.clone(),
            by,
            finding: raw.finding.clone(),
        }));
    }
    Err(
        "no matcher (expected one of value, header, key, pointer, segment, service, or call \
         fields caller/callee/method/path)"
            .into(),
    )
}

/// The matcher, its regexes checked when `check` (rules files; the built-in ones are tested).
fn matcher(raw: RawMatcher, check: bool) -> Result<Matcher, String> {
    let check_regex = |field: &str, source: &str| match check {
        true => check_regex(field, source),
        false => Ok(()),
    };
    Ok(match raw {
        RawMatcher::Value(v) => {
            check_regex("value", &v)?;
            Matcher::Value(v)
        }
        RawMatcher::Header(globs) => {
            if globs.is_empty() {
                return Err("`header` lists no names".into());
            }
            for g in globs.iter().filter(|_| check) {
                check_regex("header", &header_glob_regex(g))?;
            }
            Matcher::Header(globs)
        }
        RawMatcher::Key(k) => {
            check_regex("key", &k)?;
            Matcher::Key(k)
        }
        RawMatcher::Pointer(ps) => {
            if ps.is_empty() {
                return Err("`pointer` lists no pointers".into());
            }
            for p in &ps {
                PointerPattern::parse(p)?;
            }
            Matcher::Pointer(ps)
        }
        RawMatcher::Segment(s) => {
            check_regex("segment", &s)?;
            Matcher::Segment(s)
        }
        RawMatcher::Service(s) => Matcher::Service(s),
        RawMatcher::Call(spec) => {
            for (field, source) in [
                ("caller", &spec.caller),
                ("callee", &spec.callee),
                ("method", &spec.method),
                ("path", &spec.path),
                ("finding", &spec.finding),
            ] {
                if let Some(source) = source {
                    check_regex(field, source)?;
                }
            }
            Matcher::Call(spec)
        }
    })
}

fn replace(raw: &RawRule, secret: bool) -> Result<Replace, String> {
    if let Some(named) = &raw.named {
        check_template(named)?;
    }
    let kind = match (&raw.placeholder, secret) {
        (Some(k), _) => k.clone(),
        (None, true) => "secret".into(),
        (None, false) if raw.named.is_some() => "value".into(),
        (None, false) => return Err("missing `placeholder` (the placeholder's kind)".into()),
    };
    if kind.is_empty() || !kind.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(format!(
            "placeholder kind `{kind}` must be letters, digits and `_`"
        ));
    }
    Ok(Replace {
        kind,
        numbered: raw.numbered.unwrap_or(true),
        named: raw.named.clone(),
        whole: raw.whole.unwrap_or(secret),
    })
}

fn need(matcher: &Matcher, allowed: &[&str], action: &str) -> Result<(), String> {
    if allowed.contains(&matcher.kind()) {
        Ok(())
    } else {
        Err(format!(
            "action `{action}` needs a {} matcher, not {}",
            allowed.join(" or "),
            matcher.kind()
        ))
    }
}
