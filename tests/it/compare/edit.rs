//! Programmatic edits of capture text: hook Markdown sections and documentation pages.

use serde_json::Value;

/// A hook Markdown capture split into its `### ` sections (the text before the first is kept).
#[derive(Debug, Clone)]
pub struct Hook {
    head: String,
    /// Every section, heading line first, with its trailing blank lines.
    pub sections: Vec<String>,
}

impl Hook {
    /// Splits `text` at every line starting with `### `.
    pub fn parse(text: &str) -> Hook {
        let mut head = String::new();
        let mut sections: Vec<String> = Vec::new();
        for line in text.split_inclusive('\n') {
            if line.starts_with("### ") {
                sections.push(String::new());
            }
            match sections.last_mut() {
                Some(section) => section.push_str(line),
                None => head.push_str(line),
            }
        }
        Hook { head, sections }
    }

    /// The text again.
    pub fn text(&self) -> String {
        let mut out = self.head.clone();
        for s in &self.sections {
            out.push_str(s);
        }
        out
    }

    /// Index of the `nth` (0-based) request section whose heading is `### METHOD PATH…` (path a
    /// prefix) and whose party line is ``caller` --> `callee``.
    pub fn request(&self, caller: &str, method: &str, path: &str, nth: usize) -> usize {
        let party = format!("`{caller}` --> ");
        let heading = format!("{method} {path}");
        self.sections
            .iter()
            .enumerate()
            .filter(|(_, s)| heading_of(s).contains(&heading) && s.contains(&party))
            .map(|(i, _)| i)
            .nth(nth)
            .unwrap_or_else(|| panic!("no request #{nth} {caller} {method} {path}"))
    }

    /// Index of the response section sharing request section `request`'s request id.
    pub fn response(&self, request: usize) -> usize {
        let id = header(&self.sections[request], "X-Requestshook-Request-Id").expect("request id");
        (0..self.sections.len())
            .find(|&i| {
                i != request
                    && header(&self.sections[i], "X-Requestshook-Request-Id") == Some(id.clone())
            })
            .expect("response section")
    }

    /// Removes an exchange (its request and response sections).
    pub fn drop_exchange(&mut self, request: usize) {
        let response = self.response(request);
        let (a, b) = (request.min(response), request.max(response));
        self.sections.remove(b);
        self.sections.remove(a);
    }

    /// Swaps two exchanges whose sections are each contiguous (request then response) and
    /// adjacent (`first` ends where `second` starts).
    pub fn swap_adjacent(&mut self, first: usize, second: usize) {
        assert_eq!(self.response(first) + 1, second, "exchanges are adjacent");
        assert_eq!(
            self.response(second),
            second + 1,
            "second exchange is contiguous"
        );
        let block: Vec<String> = self.sections.drain(first..first + 2).collect();
        for (k, s) in block.into_iter().enumerate() {
            self.sections.insert(first + 2 + k, s);
        }
    }

    /// Inserts a copy of an exchange (fresh request id) right after its response, or at
    /// section `at` when given. Returns the index of the copy's request.
    pub fn duplicate_exchange(&mut self, request: usize, at: Option<usize>) -> usize {
        let response = self.response(request);
        let id = header(&self.sections[request], "X-Requestshook-Request-Id").expect("request id");
        let fresh: String = id.chars().rev().collect();
        let copy = |s: &String| s.replace(&id, &fresh);
        let (req, resp) = (
            copy(&self.sections[request]),
            copy(&self.sections[response]),
        );
        let at = at.unwrap_or(response + 1);
        self.sections.insert(at, resp);
        self.sections.insert(at, req);
        at
    }

    /// Moves the contiguous exchange starting at section `request` to section `before`.
    pub fn move_exchange_before(&mut self, request: usize, before: usize) {
        assert_eq!(
            self.response(request),
            request + 1,
            "exchange is contiguous"
        );
        assert!(before < request);
        let block: Vec<String> = self.sections.drain(request..request + 2).collect();
        for (k, s) in block.into_iter().enumerate() {
            self.sections.insert(before + k, s);
        }
    }

    /// Replaces the party line of section `index` with `party`.
    pub fn set_party(&mut self, index: usize, party: &str) {
        let mut lines: Vec<&str> = self.sections[index].split_inclusive('\n').collect();
        let line = format!("{party}\n");
        lines[1] = &line;
        self.sections[index] = lines.concat();
    }

    /// Renumbers `### (N)` headings in order.
    pub fn renumber(&mut self) {
        for (n, section) in self.sections.iter_mut().enumerate() {
            if let Some(rest) = section.strip_prefix("### (") {
                if let Some((_, tail)) = rest.split_once(") ") {
                    *section = format!("### ({}) {tail}", n + 1);
                }
            }
        }
    }

    /// Replaces the heading line of section `index` (without `### `).
    pub fn set_heading(&mut self, index: usize, heading: &str) {
        let section = &self.sections[index];
        let rest = section.split_once('\n').map_or("", |(_, r)| r);
        self.sections[index] = format!("### {heading}\n{rest}");
    }

    /// Removes header `name` from section `index`.
    pub fn remove_header(&mut self, index: usize, name: &str) {
        let prefix = format!("{}:", name.to_ascii_lowercase());
        let kept: Vec<&str> = self.sections[index]
            .split_inclusive('\n')
            .filter(|l| !l.trim_start().to_ascii_lowercase().starts_with(&prefix))
            .collect();
        assert!(
            kept.len() < self.sections[index].split_inclusive('\n').count(),
            "header {name} present"
        );
        self.sections[index] = kept.concat();
    }

    /// Edits the JSON body of section `index`.
    pub fn edit_body(&mut self, index: usize, edit: impl FnOnce(&mut Value)) {
        self.sections[index] = edit_json_block(&self.sections[index], "=== \"Body\"", edit);
    }
}

/// The heading line of a section without `### ` and an optional `(N) `.
fn heading_of(section: &str) -> &str {
    let line = section.lines().next().unwrap_or("");
    let line = line.trim_start_matches("### ");
    match line.strip_prefix('(').and_then(|r| r.split_once(") ")) {
        Some((_, rest)) => rest,
        None => line,
    }
}

/// The value of header `name` in a section (any case).
pub fn header(section: &str, name: &str) -> Option<String> {
    section.lines().find_map(|line| {
        let (n, v) = line.trim().split_once(": ")?;
        n.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
    })
}

/// Rewrites the first fenced JSON block after `marker`, re-indented as it was.
fn edit_json_block(section: &str, marker: &str, edit: impl FnOnce(&mut Value)) -> String {
    let start = section.find(marker).expect("body tab");
    let fence_open = start + section[start..].find("```").expect("opening fence");
    let body_start = fence_open + section[fence_open..].find('\n').expect("fence line") + 1;
    let close_rel = section[body_start..].find("```").expect("closing fence");
    let body_end = body_start
        + section[body_start..body_start + close_rel]
            .rfind('\n')
            .map_or(0, |i| i + 1);
    let indent: String = section[body_start..]
        .chars()
        .take_while(|c| *c == ' ')
        .collect();
    let mut value: Value =
        serde_json::from_str(section[body_start..body_end].trim()).expect("json body");
    edit(&mut value);
    let pretty = serde_json::to_string_pretty(&value).expect("serializes");
    let block: String = pretty.lines().map(|l| format!("{indent}{l}\n")).collect();
    format!(
        "{}{}{}",
        &section[..body_start],
        block,
        &section[body_end..]
    )
}

/// A documentation page: removes the exchanges whose diagram request arrow matches `pred`
/// (their two arrows and two sections) and renumbers the sections.
pub fn doc_page_without(text: &str, pred: impl Fn(&str) -> bool) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let is_arrow = |l: &str| l.contains("->>") && l.contains(": ");
    let arrows: Vec<usize> = (0..lines.len()).filter(|&i| is_arrow(lines[i])).collect();
    // Arrow k is section k; a request arrow and the response arrow that closes it go together.
    let mut drop_sections = Vec::new();
    let mut open: Vec<(String, usize)> = Vec::new();
    for (k, &i) in arrows.iter().enumerate() {
        let line = lines[i].trim();
        let (parties, _) = line.split_once(": ").expect("arrow");
        if let Some((a, b)) = parties.split_once("-->>") {
            let pos = open
                .iter()
                .rposition(|(p, _)| *p == format!("{b}->{a}"))
                .expect("open request");
            let (_, req) = open.remove(pos);
            if drop_sections.contains(&req) {
                drop_sections.push(k);
            }
        } else if let Some((a, b)) = parties.split_once("->>") {
            open.push((format!("{a}->{b}"), k));
            if pred(line) {
                drop_sections.push(k);
            }
        }
    }
    let dropped_lines: Vec<usize> = drop_sections.iter().map(|&k| arrows[k]).collect();
    let mut out = String::new();
    let mut section = 0usize;
    let mut keep = true;
    let mut number = 0usize;
    for (i, line) in lines.iter().enumerate() {
        if dropped_lines.contains(&i) {
            continue;
        }
        if let Some(rest) = line.strip_prefix("### (") {
            keep = !drop_sections.contains(&section);
            section += 1;
            if keep {
                number += 1;
                let tail = rest.split_once(") ").map_or("", |(_, t)| t);
                out.push_str(&format!("### ({number}) {tail}"));
            }
            continue;
        }
        if line.starts_with("## ") {
            keep = true;
        }
        if keep {
            out.push_str(line);
        }
    }
    out
}
