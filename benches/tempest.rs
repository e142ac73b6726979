//! The upgrade gate at full scale: `flowdiff OLD.log NEW.log` on two generated Tempest logs of
//! 50,000 records in 500 tests each (two interleaved workers, DEBUG blocks with JSON bodies, the
//! attachment layout), the second a re-run with new ids, tokens and timestamps plus a few real
//! changes. Prints wall time and the peak memory of the command against the two files' size.
//! Run with `cargo bench --bench tempest`; `cargo test --all-targets` runs a small smoke size.
//!
//! The command runs in a child process (`common::flowdiff_apart`) so that its peak memory is its
//! own, with the binary's allocator.

mod common;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The binary's allocator (see `src/main.rs`): the command runs as the binary runs it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Records and tests of the full-size run.
const RECORDS: usize = 50_000;
const TESTS: usize = 500;

/// A deterministic pseudo-random id (hex, 32 characters, or a dashed UUID).
fn id(n: u64, salt: u64, dashed: bool) -> String {
    let mut x = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt.wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
    let mut hex = String::with_capacity(36);
    for _ in 0..2 {
        x ^= x >> 31;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        let _ = write!(hex, "{x:016x}");
    }
    if dashed {
        format!(
            "{}-{}-{}-{}-{}",
            &hex[..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        )
    } else {
        hex
    }
}

/// The calls a test makes, cycling: create, poll, show, list, delete.
fn call(test: usize, k: usize, salt: u64, changed: bool) -> (u16, &'static str, String, String) {
    let server = id((test * 1000 + k / 5) as u64, salt, true);
    let host = "https://10.0.0.5";
    let body = format!(
        "{{\"server\": {{\"id\": \"{server}\", \"name\": \"tempest-server-{}\", \"status\": \"ACTIVE\", \"created\": \"2020-09-07T19:30:{:02}Z\", \"tenant_id\": \"{}\"}}}}",
        id(test as u64, salt, false),
        k % 60,
        id(7, salt, false)
    );
    match k % 5 {
        0 => (202, "POST", format!("{host}/compute/v2.1/servers"), body),
        1 => (
            200,
            "GET",
            format!("{host}/compute/v2.1/servers/{server}"),
            body,
        ),
        2 if changed => (
            200,
            "GET",
            format!("{host}/compute/v2.1/servers/{server}/os-interface"),
            "{\"interfaceAttachments\": []}".to_string(),
        ),
        2 => (
            200,
            "GET",
            format!("{host}/compute/v2.1/servers/{server}"),
            body,
        ),
        3 => (
            200,
            "GET",
            format!("{host}/image/v2/images?limit=20"),
            "{\"images\": [], \"schema\": \"/v2/schemas/images\"}".to_string(),
        ),
        _ => (
            204,
            "DELETE",
            format!("{host}/compute/v2.1/servers/{server}"),
            String::new(),
        ),
    }
}

/// A Tempest log of `records` records in `tests` tests, two workers interleaved; `salt` makes
/// the volatile values of a run, `changed` the tests whose third call is another one.
fn generate(records: usize, tests: usize, salt: u64, changed: &[usize]) -> String {
    let mut out = String::with_capacity(records * 1400);
    let per_test = records / tests;
    for r in 0..records {
        // Two workers: tests alternate between pids, and their records interleave.
        let worker = r % 2;
        let test = (r / 2 / per_test) * 2 + worker;
        let k = (r / 2) % per_test;
        if test >= tests {
            continue;
        }
        let pid = 100_285 + worker;
        let (status, method, url, body) = call(test, k, salt, changed.contains(&test));
        let stamp = format!(
            "2020-09-07 19:{:02}:{:02},{:03}",
            (r / 3600) % 60,
            (r / 60) % 60,
            r % 1000
        );
        let caller = format!("ServersTest{}JSON:test_case_{}", test / 10, test % 10);
        let _ = writeln!(
            out,
            "{stamp} {pid} INFO     [tempest.lib.common.rest_client] Request ({caller}): {status} {method} {url} 0.{:03}s",
            r % 1000
        );
        let request_id = id(r as u64, salt, true);
        let request_body = if method == "POST" {
            "{\"server\": {\"name\": \"tempest-server\", \"imageRef\": \"img\", \"flavorRef\": \"1\", \"adminPass\": \"s3cret\"}}".to_string()
        } else {
            "None".to_string()
        };
        let _ = writeln!(
            out,
            "{stamp} {pid} DEBUG    [tempest.lib.common.rest_client] Request - Headers: {{'Content-Type': 'application/json', 'Accept': 'application/json', 'X-Auth-Token': '<omitted>'}}\n          Body: {request_body}\n      Response - Headers: {{'date': 'Mon, 07 Sep 2020 19:30:12 GMT', 'server': 'Apache/2.4.41 (Ubuntu)', 'content-length': '{}', 'content-type': 'application/json', 'openstack-api-version': 'compute 2.1', 'x-openstack-nova-api-version': '2.1', 'vary': 'OpenStack-API-Version,X-OpenStack-Nova-API-Version', 'x-openstack-request-id': 'req-{request_id}', 'x-compute-request-id': 'req-{request_id}', 'connection': 'close', 'status': '{status}', 'content-location': '{url}'}}\n          Body: b'{}'",
            body.len(),
            body.replace('\'', "\\'")
        );
    }
    out
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write the generated log");
    path
}

fn main() -> ExitCode {
    if let Some(code) = common::flowdiff_in_child() {
        return code;
    }
    let args: Vec<String> = std::env::args().collect();
    let full = args.iter().any(|a| a == "--bench");
    let (records, tests) = if full { (RECORDS, TESTS) } else { (2_000, 20) };
    let dir = std::env::temp_dir().join(format!("flowdiff-bench-tempest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("bench dir");
    let old = write(&dir, "before.log", &generate(records, tests, 1, &[]));
    let new = write(
        &dir,
        "after.log",
        &generate(records, tests, 2, &[3, tests / 2]),
    );
    let size_mb = (std::fs::metadata(&old).map_or(0, |m| m.len())
        + std::fs::metadata(&new).map_or(0, |m| m.len())) as f64
        / 1e6;
    let out = dir.join("report.json");
    let mut walls = Vec::new();
    let mut peak = 0.0f64;
    let args: Vec<OsString> = vec![
        old.into(),
        new.into(),
        "--format".into(),
        "json".into(),
        "-o".into(),
        out.clone().into(),
    ];
    for _ in 0..3 {
        let run = common::flowdiff_apart(&args);
        // The two changed tests make warnings and info (a repeat now called once, an extra
        // call), which pass by default: 0. 2 would be an error (printed on stderr).
        assert!(run.status.success(), "the comparison runs: {}", run.status);
        walls.push(run.wall);
        peak = peak.max(run.peak_mb);
    }
    walls.sort_by(f64::total_cmp);
    let report = std::fs::read_to_string(&out).unwrap_or_default();
    let doc: serde_json::Value = serde_json::from_str(&report).unwrap_or_default();
    println!(
        "{:<52} {:>8.2} s wall (median of 3), peak RSS {:.0} MB = {:.2}x the two logs ({:.0} MB); {} flows compared, {} changed",
        format!("flowdiff OLD.log NEW.log: {records} records, {tests} tests"),
        walls[walls.len() / 2],
        peak,
        peak / size_mb.max(f64::MIN_POSITIVE),
        size_mb,
        doc["summary"]["compared"],
        doc["summary"]["changed"],
    );
    assert_eq!(
        doc["summary"]["changed"], 2,
        "exactly the two changed tests are reported"
    );
    if std::env::var_os("FLOWDIFF_BENCH_KEEP").is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    ExitCode::SUCCESS
}
