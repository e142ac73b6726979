//! Pipeline benchmarks (hand-rolled, no harness): median time and throughput of each stage on
//! the server-create seed and on generated traces. Run with `cargo bench`.
//!
//! [`generate_hook_markdown`] builds a realistic hook Markdown capture of any size; later stages
//! (normalize, compare) reuse it for their own benches.

mod common;
use common::peak_rss_mb;

/// The binary's allocator (see `src/main.rs`), so that the stages are timed as the binary runs
/// them: the system allocator is much slower on a large trace's millions of small strings.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// CPU time this thread has run so far (Linux `/proc/thread-self/schedstat`), to tell the cost
/// of the work from waiting for a busy machine's cores; `None` elsewhere.
fn thread_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// Times `run` on `input` `iterations` times (after one warm-up) and prints the median wall
/// time and the mean CPU time (summed over all runs: the kernel's accounting is too coarse for
/// one short run), each with its throughput. The value `run` returns is dropped outside the
/// timed region.
fn bench<T>(name: &str, input: &str, iterations: usize, mut run: impl FnMut(&str) -> T) {
    drop(black_box(run(black_box(input))));
    let mut wall: Vec<Duration> = Vec::with_capacity(iterations);
    let mut cpu = Some(Duration::ZERO);
    for _ in 0..iterations {
        let cpu_start = thread_cpu_time();
        let start = Instant::now();
        let out = black_box(run(black_box(input)));
        wall.push(start.elapsed());
        let spent = thread_cpu_time()
            .zip(cpu_start)
            .map(|(b, a)| b.saturating_sub(a));
        cpu = cpu.zip(spent).map(|(total, s)| total + s);
        drop(out);
    }
    wall.sort_unstable();
    let wall = wall[wall.len() / 2].as_secs_f64();
    let mb = input.len() as f64 / 1e6;
    let cpu = match cpu.map(|c| c.as_secs_f64() / iterations as f64) {
        Some(c) if c > 0.0 => format!("mean {:.3} ms cpu {:>6.0} MB/s", c * 1e3, mb / c),
        _ => "cpu time unknown".to_string(),
    };
    println!(
        "{name:<40} {:>9.1} KB  median {:>9.3} ms wall {:>6.0} MB/s, {cpu}  ({iterations} runs)",
        input.len() as f64 / 1e3,
        wall * 1e3,
        mb / wall
    );
}

/// A deterministic UUID-looking id for counter `n` (dashed) or a 32-hex id (`dashed = false`).
fn id(n: usize, salt: u64, dashed: bool) -> String {
    let mut x = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt;
    let mut hex = String::with_capacity(36);
    for i in 0..32 {
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        let _ = write!(hex, "{:x}", x & 0xf);
        if dashed && matches!(i, 7 | 11 | 15 | 19) {
            hex.push('-');
        }
    }
    hex
}

/// Appends one hook Markdown section.
fn section(
    out: &mut String,
    heading: &str,
    left: &str,
    arrow: &str,
    right: &str,
    headers: &[(&str, String)],
    body: &str,
) {
    let _ = writeln!(out, "\n### {heading}\n`{left}` {arrow} `{right}`\n");
    let _ = writeln!(
        out,
        "=== \"Header\"\n    ``` http title=\"{heading}\" linenums=\"1\""
    );
    for (name, value) in headers {
        let _ = writeln!(out, "    {name}: {value}");
    }
    let _ = writeln!(
        out,
        "    ```\n\n=== \"Body\"\n    ``` json title=\"{heading}\" linenums=\"1\""
    );
    for line in body.lines() {
        let _ = writeln!(out, "    {line}");
    }
    out.push_str("    ```\n\n");
}

/// One exchange as the generator writes it.
struct Call<'a> {
    caller: &'a str,
    callee: &'a str,
    method: &'a str,
    path: String,
    status: &'a str,
    request_body: String,
    response_body: String,
}

/// Writes the request section of `call` (exchange number `n`).
fn request(out: &mut String, call: &Call<'_>, n: usize) {
    let headers = [
        ("Host", "10.0.0.5".to_string()),
        (
            "User-Agent",
            format!(
                "{} keystoneauth1/5.0.0 python-requests/2.28.1 CPython/3.8.10",
                call.caller
            ),
        ),
        ("Accept", "application/json".to_string()),
        (
            "X-Auth-Token",
            format!("gAAAAABj{}{}", id(n, 1, false), id(n, 2, false)),
        ),
        ("X-Requestshook-Request-Id", id(n, 3, false)),
        ("X-Requestshook-Request-From", call.caller.to_string()),
    ];
    let heading = format!("{} {}", call.method, call.path);
    section(
        out,
        &heading,
        call.caller,
        "-->",
        call.callee,
        &headers,
        &call.request_body,
    );
}

/// Writes the response section of `call` (exchange number `n`).
fn response(out: &mut String, call: &Call<'_>, n: usize) {
    let headers = [
        ("Content-Type", "application/json".to_string()),
        ("Content-Length", call.response_body.len().to_string()),
        ("X-Openstack-Request-Id", format!("req-{}", id(n, 4, true))),
        ("Date", "Mon, 19 Dec 2022 09:51:26 GMT".to_string()),
        ("X-Requestshook-Request-Id", id(n, 3, false)),
        ("X-Requestshook-Request-From", call.caller.to_string()),
    ];
    let heading = format!("{} {}", call.status, call.path);
    section(
        out,
        &heading,
        call.caller,
        "<--",
        call.callee,
        &headers,
        &call.response_body,
    );
}

/// A pretty-printed JSON object describing resource `n` (a few nested fields).
fn resource(kind: &str, n: usize, fields: usize) -> String {
    let mut body = format!(
        "{{\n  \"{kind}\": {{\n    \"id\": \"{}\",\n    \"name\": \"{kind}-{n}\",\n",
        id(n, 5, true)
    );
    for f in 0..fields {
        let _ = writeln!(body, "    \"field_{f}\": \"{}\",", id(n + f, 6, false));
    }
    let _ = write!(body, "    \"links\": [\n      {{\n        \"rel\": \"self\",\n        \"href\": \"http://10.0.0.5/{kind}/{}\"\n      }}\n    ],\n    \"created_at\": \"2022-12-19T09:51:29Z\"\n  }}\n}}", id(n, 5, true));
    body
}

/// Generates a hook Markdown capture of `exchanges` exchanges shaped like real flows: the client
/// calling services, services calling keystone, glance and neutron on its behalf (nested), and
/// nova-compute polling neutron on its own, interleaved with the client's calls.
pub fn generate_hook_markdown(exchanges: usize) -> String {
    generate_hook_markdown_scaled(exchanges, 1)
}

/// Like [`generate_hook_markdown`], with every body `scale` times as many fields (`scale = 4`:
/// about 4.5 KB per exchange, the shape of the large-body captures the README's end-to-end row
/// measures).
pub fn generate_hook_markdown_scaled(exchanges: usize, scale: usize) -> String {
    let mut out = String::with_capacity(exchanges * 2200 * scale);
    let mut n = 0;
    while n < exchanges {
        let server = id(n, 7, true);
        let parent = Call {
            caller: "openstack",
            callee: "nova-api",
            method: "POST",
            path: "/compute/v2.1/servers".to_string(),
            status: "202 Accepted",
            request_body: resource("server", n, 4 * scale),
            response_body: resource("server", n + 1, 2 * scale),
        };
        let children = [
            Call {
                caller: "nova-api",
                callee: "glance-api",
                method: "GET",
                path: format!("/v2/images/{}", id(n, 8, true)),
                status: "200 OK",
                request_body: "none".to_string(),
                response_body: resource("image", n, 8 * scale),
            },
            Call {
                caller: "nova-api",
                callee: "neutron-server",
                method: "GET",
                path: "/networking/v2.0/ports".to_string(),
                status: "200 OK",
                request_body: "none".to_string(),
                response_body: resource("port", n, 6 * scale),
            },
        ];
        let poll = Call {
            caller: "nova-compute",
            callee: "neutron-server",
            method: "GET",
            path: format!("/networking/v2.0/ports/{server}"),
            status: "200 OK",
            request_body: "none".to_string(),
            response_body: resource("port", n + 2, 3 * scale),
        };
        let discovery = Call {
            caller: "openstack",
            callee: "keystone",
            method: "GET",
            path: "/identity/".to_string(),
            status: "300 MULTIPLE CHOICES",
            request_body: "none".to_string(),
            response_body: resource("versions", n, scale),
        };
        let base = n;
        request(&mut out, &parent, base);
        for (i, child) in children.iter().enumerate() {
            request(&mut out, child, base + 1 + i);
            if i == 0 {
                request(&mut out, &poll, base + 3);
            }
            response(&mut out, child, base + 1 + i);
        }
        response(&mut out, &poll, base + 3);
        response(&mut out, &parent, base);
        request(&mut out, &discovery, base + 4);
        response(&mut out, &discovery, base + 4);
        n += 5;
    }
    out
}

/// A fixture's text.
fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn main() -> ExitCode {
    if let Some(code) = common::flowdiff_in_child() {
        return code;
    }
    // `cargo bench --bench pipeline -- --write DIR EXCHANGES SCALE`: writes the generated
    // capture and its drifted copy (old.md, new.md) for profiling the binary, then stops.
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--write") {
        let number = |i: usize| args.get(at + i).and_then(|a| a.parse().ok());
        let (Some(exchanges), Some(scale)) = (number(2), number(3)) else {
            panic!("usage: --write DIR EXCHANGES SCALE");
        };
        let dir = std::path::Path::new(&args[at + 1]);
        let old = generate_hook_markdown_scaled(exchanges, scale);
        std::fs::write(dir.join("new.md"), drifted(&old)).expect("writes new.md");
        std::fs::write(dir.join("old.md"), old).expect("writes old.md");
        return ExitCode::SUCCESS;
    }
    let parse = |text: &str| flowdiff::parse::parse(text).expect("bench input parses");
    for (name, runs) in [
        ("server-create.hook.md", 200),
        ("image-create.doc.md", 200),
        ("image-show.hook-log.txt", 500),
        ("server-create-part.mermaid.txt", 2000),
    ] {
        bench(&format!("parse {name}"), &fixture(name), runs, parse);
    }

    let generated = generate_hook_markdown(100_000);
    let trace = parse(&generated);
    assert_eq!(trace.exchanges.len(), 100_000);
    drop(trace);
    bench("parse generated 100,000 exchanges", &generated, 5, parse);
    normalize_benches(&generated);
    compare_benches(&fixture("server-create.hook.md"), &generated);
    drop(generated);
    end_to_end_benches();
    ExitCode::SUCCESS
}

/// Parse + normalize, end to end (the normalization issue's target: at least 100 MB/s on the
/// 100,000-exchange trace), and normalizing an already parsed trace (with its copy). Under
/// `cargo test --all-targets` (no `--bench` argument, a debug build) only the seed runs, once.
fn normalize_benches(generated: &str) {
    use flowdiff::normalize::{normalize, normalize_in_place, RuleSet};
    let measuring = std::env::args().any(|a| a == "--bench");
    let rules = RuleSet::builtin();
    let parse = |text: &str| flowdiff::parse::parse(text).expect("bench input parses");
    let end_to_end = |text: &str| {
        let mut trace = parse(text);
        normalize_in_place(&mut trace, &rules);
        trace
    };
    let seed = fixture("server-create.hook.md");
    let name = "parse + normalize server-create.hook.md";
    if !measuring {
        bench(name, &seed, 1, end_to_end);
        return;
    }
    bench(name, &seed, 100, end_to_end);
    bench(
        "parse + normalize generated 100,000",
        generated,
        3,
        end_to_end,
    );
    let trace = parse(generated);
    bench("normalize (copy) generated 100,000", generated, 3, |_| {
        normalize(&trace, &rules)
    });
}

/// `generated` with every 50th keystone discovery sent to another path: many scattered
/// differences in the client's long top-level sequence.
fn drifted(generated: &str) -> String {
    let mut out = String::with_capacity(generated.len());
    let mut count = 0;
    for line in generated.split_inclusive('\n') {
        if line.starts_with("### GET /identity/\n")
            || line.starts_with("### 300 MULTIPLE CHOICES /identity/\n")
        {
            count += 1;
            if (count / 2) % 50 == 0 {
                out.push_str(&line.replace("/identity/", "/identity/v3/"));
                continue;
            }
        }
        out.push_str(line);
    }
    out
}

/// Compares two normalized traces (the compare stage alone, normalization done beforehand).
fn compare_benches(seed: &str, generated: &str) {
    use flowdiff::compare::{compare, Options};
    use flowdiff::normalize::{normalize, RuleSet};
    let rules = RuleSet::builtin();
    let load = |text: &str| normalize(&flowdiff::parse::parse(text).expect("parses"), &rules);
    let seed_trace = load(seed);
    let again = load(seed);
    bench("compare server-create with itself", seed, 200, |_| {
        compare(&seed_trace, &again, &rules, &Options::default())
    });
    drop((seed_trace, again));
    // `cargo test --all-targets` runs this without `--bench`: a small smoke run is enough there.
    let small;
    let (generated, label) = if std::env::args().any(|a| a == "--bench") {
        (generated, "compare generated 100,000 vs drifted")
    } else {
        small = generate_hook_markdown(2_000);
        (small.as_str(), "compare generated 2,000 vs drifted (smoke)")
    };
    let old = load(generated);
    let new = load(&drifted(generated));
    // Reset the peak so it measures the comparison on top of the loaded traces (Linux).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = peak_rss_mb();
    bench(label, generated, 3, |_| {
        let c = compare(&old, &new, &rules, &Options::default());
        assert!(!c.findings.is_empty());
        c
    });
    println!(
        "{:<40} peak RSS {:.0} MB while comparing ({:.0} MB before: both traces and texts loaded)",
        label,
        peak_rss_mb(),
        before
    );
}

/// `flowdiff OLD NEW --format json -o OUT` (the command line as the binary runs it, with its
/// allocator, in a child process: see `common::flowdiff_apart`) on generated large-body pairs
/// (`drifted` copies, scale 11: about 4.5 KB per exchange) of 2,200 and 22,000 exchanges
/// (2 × 9.9 MB and 2 × 99 MB), the two sizes alternated three times: input MB/s end to end
/// (median wall time), peak memory against the input, and how much longer 10 times the input
/// takes (the targets: at least 150 MB/s, at most 1.5× the input, at most 11× the time).
/// Without `--bench`, a small pair once, to check it runs.
fn end_to_end_benches() {
    let measuring = std::env::args().any(|a| a == "--bench");
    let dir = std::env::temp_dir().join(format!("flowdiff-bench-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("bench dir");
    let out = dir.join("report.json");
    let sizes: &[usize] = if measuring { &[2_200, 22_000] } else { &[20] };
    let pairs: Vec<(usize, Vec<OsString>, f64)> = sizes
        .iter()
        .map(|&exchanges| {
            let old = generate_hook_markdown_scaled(exchanges, 11);
            let new = drifted(&old);
            let mb = (old.len() + new.len()) as f64 / 1e6;
            let write = |name: &str, text: &str| {
                let path = dir.join(format!("{exchanges}-{name}"));
                std::fs::write(&path, text).expect("write the generated capture");
                path.into_os_string()
            };
            let args = vec![
                write("old.md", &old),
                write("new.md", &new),
                "--format".into(),
                "json".into(),
                "-o".into(),
                out.clone().into(),
            ];
            (exchanges, args, mb)
        })
        .collect();
    let mut runs: Vec<Vec<common::Measured>> = pairs.iter().map(|_| Vec::new()).collect();
    for _ in 0..if measuring { 3 } else { 1 } {
        for ((_, args, _), runs) in pairs.iter().zip(&mut runs) {
            let run = common::flowdiff_apart(args);
            // The drifted keystone discoveries are warnings: exit 0 or 1, never 2.
            assert!(
                matches!(run.status.code(), Some(0 | 1)),
                "flowdiff: {}",
                run.status
            );
            runs.push(run);
        }
    }
    let mut medians = Vec::new();
    for ((exchanges, _, mb), runs) in pairs.iter().zip(&mut runs) {
        runs.sort_by(|a, b| a.wall.total_cmp(&b.wall));
        let wall = runs[runs.len() / 2].wall;
        let peak = runs.iter().map(|r| r.peak_mb).fold(0.0, f64::max);
        println!(
            "{:<40} {:>9.1} MB  median {:>9.3} s wall {:>6.0} MB/s, peak RSS {peak:.0} MB = {:.2}x the input",
            format!("flowdiff OLD NEW, 2 x {exchanges} exchanges"),
            mb,
            wall,
            mb / wall,
            peak / mb
        );
        medians.push(wall);
    }
    if let [.., small, large] = medians.as_slice() {
        println!(
            "{:<40} {:.1}x the time for 10x the input",
            "flowdiff OLD NEW, growth",
            large / small
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
