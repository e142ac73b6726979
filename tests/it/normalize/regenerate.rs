//! A generator of re-captures: the same flow with every volatile value (ids, tokens, request
//! ids, timestamps, dates, hosts, ports, audit ids, addresses, checksums, passwords) replaced
//! consistently by a fresh value of the same shape. Written independently of the rules.

use regex::{Captures, Regex};
use std::collections::HashMap;

/// Returns `text` with each distinct volatile value replaced by one fresh value everywhere.
pub fn regenerate(text: &str) -> String {
    let pattern = Regex::new(concat!(
        r"(?P<fernet>gAAAAA[A-Za-z0-9_-]{20,})",
        r"|(?P<tx>tx[0-9a-f]{21}-[0-9a-f]{10})",
        r"|AUTH_(?P<account>[0-9a-f]{32})",
        r"|(?P<uuid>(?-u:\b)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?-u:\b))",
        r"|(?P<hash>(?-u:\b)[0-9a-f]{128}(?-u:\b))",
        r"|(?P<hex>(?-u:\b)[0-9a-f]{32}(?-u:\b))",
        r"|(?P<iso>(?-u:\b)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)",
        r"|(?P<date>(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT)",
        r"|(?P<epoch>(?-u:\b)1\d{9}\.\d{5}(?-u:\b))",
        r"|(?P<ip>(?-u:\b)\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}(?::\d{2,5})?(?-u:\b))",
        r"|(?P<addr>(?-u:\b)0x[0-9a-f]{12}(?-u:\b))",
        r#"|"password": "(?P<password>[^"{]+)""#,
        r#"|"(?P<audit>[A-Za-z0-9_-]{22})""#,
    ))
    .expect("generator regex");
    let mut fresh = Fresh::default();
    pattern
        .replace_all(text, |caps: &Captures| {
            let whole = &caps[0];
            for group in ["account", "password", "audit"] {
                if let Some(m) = caps.name(group) {
                    if group == "audit" && !looks_random(m.as_str()) {
                        return whole.to_string();
                    }
                    let start = m.start() - caps.get(0).map_or(0, |w| w.start());
                    let new = fresh.get(group, m.as_str());
                    return format!("{}{}{}", &whole[..start], new, &whole[start + m.len()..]);
                }
            }
            let group = [
                "fernet", "tx", "uuid", "hash", "hex", "iso", "date", "epoch", "ip", "addr",
            ]
            .into_iter()
            .find(|g| caps.name(g).is_some())
            .unwrap_or("hex");
            fresh.get(group, whole)
        })
        .into_owned()
}

/// Random-looking ids mix upper case, lower case and digits; names do not.
fn looks_random(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_uppercase())
        && s.bytes().any(|b| b.is_ascii_lowercase())
        && s.bytes().any(|b| b.is_ascii_digit())
}

/// Fresh values, one per distinct old value, deterministic.
#[derive(Default)]
struct Fresh {
    seen: HashMap<String, String>,
    counter: u64,
}

impl Fresh {
    fn get(&mut self, kind: &str, old: &str) -> String {
        if let Some(new) = self.seen.get(old) {
            return new.clone();
        }
        self.counter += 1;
        let n = self.counter;
        let mut rng = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let new = match kind {
            "iso" => {
                let fraction = old.find('.').map_or(String::new(), |i| format!(".{:0w$}", n % 1000, w = old.len() - i - 1));
                format!("2031-{:02}-{:02}T{:02}:{:02}:{:02}{fraction}", 1 + n % 12, 1 + n % 28, n % 24, n % 60, (n / 60) % 60)
            }
            "date" => format!("Tue, {:02} Mar 2034 {:02}:{:02}:{:02} GMT", 1 + n % 28, n % 24, n % 60, (n / 60) % 60),
            "epoch" => format!("{}.{:05}", 1_900_000_000 + n, n % 100_000),
            "ip" => {
                let port = if old.contains(':') { format!(":{}", 40000 + n) } else { String::new() };
                format!("10.{}.{}.{}{port}", n / 65536 % 256, n / 256 % 256, n % 256)
            }
            "password" => format!("secret-{n}"),
            _ => old
                .chars()
                .enumerate()
                .map(|(i, c)| {
                    if kind == "fernet" && i < 6 || c == '-' && kind != "audit" && kind != "fernet" {
                        return c;
                    }
                    rng ^= rng >> 31;
                    rng = rng.wrapping_mul(0xBF58_476D_1CE4_E5B9).wrapping_add(i as u64);
                    let alphabet: &[u8] = match kind {
                        "fernet" | "audit" => b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
                        _ => b"0123456789abcdef",
                    };
                    let prefix = if (kind == "tx" || kind == "addr") && i < 2 { Some(c) } else { None };
                    prefix.unwrap_or(alphabet[(rng >> 33) as usize % alphabet.len()] as char)
                })
                .collect(),
        };
        self.seen.insert(old.to_string(), new.clone());
        new
    }
}
