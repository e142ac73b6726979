//! Plain-language phrases for calls: `POST /v2/images` is "creating an image".

use crate::normalize::singular;

/// What a service was doing while it handled `method path` ("creating an image"), or the call
/// itself in backticks when the path is not a plain collection or item.
pub fn activity(method: &str, path: &str) -> String {
    let segments: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && !is_version(s))
        .collect();
    let (noun, item) = match segments.as_slice() {
        [.., noun, id] if is_placeholder(id) && !is_placeholder(noun) => (*noun, true),
        [.., noun] if !is_placeholder(noun) => (*noun, false),
        _ => return format!("handling `{method} {path}`"),
    };
    // A collection is named in the plural; `…/{id}/file` or `…/action` is not one.
    if !noun.ends_with('s') {
        return format!("handling `{method} {path}`");
    }
    let plural = noun.replace(['_', '-'], " ");
    let one = singular(&plural);
    let verb = match (method, item) {
        ("POST", false) => "creating",
        ("GET", false) => return format!("listing {plural}"),
        ("GET", true) => "showing",
        ("HEAD", _) => "checking",
        ("PUT" | "PATCH", true) => "updating",
        ("DELETE", true) => "deleting",
        _ => return format!("handling `{method} {path}`"),
    };
    format!("{verb} {} {one}", article(&one))
}

fn is_placeholder(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

/// `v2`, `v2.0`, `v2.1`, `v3`: API versions say nothing about what is being done.
fn is_version(segment: &str) -> bool {
    segment.strip_prefix('v').is_some_and(|rest| {
        !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c == '.')
    })
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collections_and_items_read_as_activities() {
        assert_eq!(activity("POST", "/v2/images"), "creating an image");
        assert_eq!(
            activity("GET", "/v2.1/servers/{server_id}"),
            "showing a server"
        );
        assert_eq!(activity("GET", "/v2.0/ports"), "listing ports");
        assert_eq!(
            activity("DELETE", "/v3/registered_limits/{id}"),
            "deleting a registered limit"
        );
        assert_eq!(activity("PATCH", "/policies/{id}"), "updating a policy");
    }

    #[test]
    fn anything_else_is_named_by_its_call() {
        assert_eq!(
            activity("PUT", "/v2/images/{image_id}/file"),
            "handling `PUT /v2/images/{image_id}/file`"
        );
        assert_eq!(activity("GET", "/"), "handling `GET /`");
        assert_eq!(
            activity("POST", "/v2/images/{id}"),
            "handling `POST /v2/images/{id}`"
        );
    }
}
