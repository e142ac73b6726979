//! Reading input files within limits: a file larger than [`Limits::max_input_size`] or with a
//! line longer than [`Limits::max_line_size`] is refused with an error naming it (and the line),
//! so `flowdiff show /dev/zero` stops instead of growing without bound. Files are read in parts
//! of complete lines ([`Parts`]), whole ([`read_text`]) or part by part (a Tempest log).

use crate::error::{Error, InputError, Result};
use bytesize::ByteSize;
use std::io::Read;
use std::path::Path;

/// Bounds on what flowdiff reads (`max_input_size` and `max_line_size` in `flowdiff.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    /// The largest file read, in bytes (default 2 GiB).
    pub max_input_size: u64,
    /// The longest line read, in bytes (default 256 MiB).
    pub max_line_size: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_input_size: 2 << 30,
            max_line_size: 256 << 20,
        }
    }
}

/// How much is handed out at a time (a part ends at the last complete line in it).
const PART: usize = 1 << 20;

/// How much is read at a time.
const CHUNK: usize = 1 << 16;

/// A file read in parts of complete lines, within [`Limits`]. The last part holds what follows
/// the last newline.
pub(crate) struct Parts<R> {
    source: R,
    path: std::path::PathBuf,
    limits: Limits,
    /// Bytes read but not handed out yet (no newline after `scanned`).
    buffer: Vec<u8>,
    /// How much of `buffer` is known to hold no newline.
    scanned: usize,
    /// Bytes read so far.
    read: u64,
    /// Lines handed out so far.
    lines: usize,
    done: bool,
    /// The file's size when opened (0 when unknown), to read it whole into one allocation.
    size: u64,
    /// The source is a regular file (it can be read again from the start).
    regular: bool,
}

impl Parts<std::fs::File> {
    /// Opens `path` for reading in parts (a directory is an error).
    pub(crate) fn open(path: &Path, limits: Limits) -> Result<Parts<std::fs::File>> {
        if path.is_dir() {
            return Err(
                InputError::new(0, "is a directory, expected a capture file").in_file(path),
            );
        }
        let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
        let metadata = file.metadata().ok();
        Ok(Parts {
            size: metadata.as_ref().map_or(0, |m| m.len()),
            regular: metadata.is_some_and(|m| m.is_file()),
            ..Parts::new(file, path, limits)
        })
    }
}

impl<R: Read> Parts<R> {
    /// Reads `source` (named `path` in errors) in parts.
    pub(crate) fn new(source: R, path: &Path, limits: Limits) -> Parts<R> {
        Parts {
            source,
            path: path.to_path_buf(),
            limits,
            buffer: Vec::new(),
            scanned: 0,
            read: 0,
            lines: 0,
            done: false,
            size: 0,
            regular: false,
        }
    }

    /// The source's size when opened, when it is a regular file (which can be read again from
    /// the start); `None` for a pipe or a terminal.
    pub(crate) fn regular_size(&self) -> Option<usize> {
        self.regular
            .then(|| usize::try_from(self.size).unwrap_or(usize::MAX))
    }

    /// Reserves room in `text` (what was handed out so far) for the rest of the file, as its
    /// size said when opened: read whole, it then fills one allocation of its own size instead
    /// of growing by doubling (up to twice the file, copied at each step).
    pub(crate) fn reserve_rest(&self, text: &mut String) {
        let size = usize::try_from(self.size.min(self.limits.max_input_size)).unwrap_or(0);
        text.reserve_exact(size.saturating_sub(text.len()));
    }

    /// The next part: about a MiB of complete lines (all that is left at the end of
    /// the file), `None` once everything was handed out.
    pub(crate) fn next_part(&mut self) -> Result<Option<String>> {
        if self.done && self.buffer.is_empty() {
            return Ok(None);
        }
        let cut = self.fill()?;
        let rest = self.buffer.split_off(cut);
        let part = std::mem::replace(&mut self.buffer, rest);
        self.scanned = 0;
        let text = crate::fsutil::utf8(part, self.lines, &self.path)?;
        self.lines += crate::parse::count_lines(&text);
        Ok(Some(text))
    }

    /// Reads until the buffer holds [`PART`] bytes ending in a complete line, or the file
    /// ends; returns where the part ends. Every line is checked against the line limit as it
    /// is read, and the file against the size limit.
    fn fill(&mut self) -> Result<usize> {
        // Room for the part, as far as the file's size tells: it then fills one allocation
        // instead of growing by doubling (each step copied into memory touched for the first
        // time, page by page: on a small comparison, a quarter of its page faults).
        let left = usize::try_from(self.size.saturating_sub(self.read)).unwrap_or(0);
        self.buffer.reserve_exact(left.min(PART + CHUNK));
        let mut last_newline = None;
        loop {
            if let Some(at) = memchr::memrchr(b'\n', &self.buffer[self.scanned..]) {
                let at = self.scanned + at;
                self.check_lines(self.scanned, at)?;
                last_newline = Some(at);
            }
            self.scanned = self.buffer.len();
            let since = last_newline.map_or(0, |at| at + 1);
            self.check_line(since, self.buffer.len())?;
            if self.done {
                return Ok(self.buffer.len());
            }
            if let Some(at) = last_newline.filter(|_| self.buffer.len() >= PART) {
                return Ok(at + 1);
            }
            // Straight into the buffer's reserved room (no chunk to copy from); retried when
            // interrupted.
            let n = match (&mut self.source)
                .take(CHUNK as u64)
                .read_to_end(&mut self.buffer)
            {
                Ok(n) => n,
                Err(e) => return Err(Error::io(&self.path, e)),
            };
            self.read += n as u64;
            if self.read > self.limits.max_input_size {
                return Err(InputError::new(
                    0,
                    format!(
                        "larger than the input limit of {} (expected a capture of at most that size; raise `max_input_size` in flowdiff.toml to read it)",
                        size(self.limits.max_input_size)
                    ),
                )
                .in_file(&self.path));
            }
            self.done = n == 0;
        }
    }

    /// Checks the lines of `buffer[from..=last_newline]` (the first may have started in an
    /// earlier scan) against the line limit.
    fn check_lines(&self, from: usize, last_newline: usize) -> Result<()> {
        let mut start = self.buffer[..from]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |at| at + 1);
        if ((last_newline - start) as u64) <= self.limits.max_line_size {
            // No line in the span can be longer than the span (nearly always: a part is far
            // shorter than the default limit).
            return Ok(());
        }
        for offset in memchr::memchr_iter(b'\n', &self.buffer[from..=last_newline]) {
            self.check_line(start, from + offset)?;
            start = from + offset + 1;
        }
        Ok(())
    }

    /// Checks the line `buffer[start..end]` (maybe not ended yet) against the line limit.
    fn check_line(&self, start: usize, end: usize) -> Result<()> {
        if ((end - start) as u64) <= self.limits.max_line_size {
            return Ok(());
        }
        let line = self.lines + 1 + crate::parse::count_lines(&self.buffer[..start]);
        Err(InputError::new(
            line,
            format!(
                "line longer than the limit of {} (expected a text capture with shorter lines; raise `max_line_size` in flowdiff.toml to read it)",
                size(self.limits.max_line_size)
            ),
        )
        .in_file(&self.path))
    }
}

/// Reads `path` whole as UTF-8 text within `limits`.
pub(crate) fn read_text(path: &Path, limits: Limits) -> Result<String> {
    let mut parts = Parts::open(path, limits)?;
    let mut text = String::new();
    parts.reserve_rest(&mut text);
    while let Some(part) = parts.next_part()? {
        text.push_str(&part);
    }
    Ok(text)
}

/// A size for messages: `2 GiB`, `300 B`, `1.5 MiB`.
pub(crate) fn size(bytes: u64) -> String {
    let whole = [(40, "TiB"), (30, "GiB"), (20, "MiB"), (10, "KiB")]
        .into_iter()
        .find(|&(shift, _)| bytes >= 1 << shift)
        .filter(|&(shift, _)| bytes.is_multiple_of(1 << shift));
    match whole {
        Some((shift, unit)) => format!("{} {unit}", bytes >> shift),
        None => ByteSize(bytes).display().iec().to_string(),
    }
}

/// Reads a size written in a config file: a number of bytes, or a number with a unit
/// (`"2 GiB"`, `"64MiB"`, `"500 MB"`).
pub(crate) fn parse_size(text: &str) -> std::result::Result<u64, String> {
    text.trim()
        .parse::<ByteSize>()
        .map(|s| s.as_u64())
        .map_err(|e| format!("`{text}` is not a size ({e}): expected bytes or a number with a unit such as \"2 GiB\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &[u8], limits: Limits) -> Result<Vec<String>> {
        let mut parts = Parts::new(text, Path::new("in.txt"), limits);
        let mut out = Vec::new();
        while let Some(part) = parts.next_part()? {
            out.push(part);
        }
        Ok(out)
    }

    #[test]
    fn parts_are_complete_lines_that_join_to_the_input() {
        let mut text = Vec::new();
        for i in 0..200_000 {
            text.extend_from_slice(format!("line {i}\n").as_bytes());
        }
        text.extend_from_slice(b"no final newline");
        let got = parts(&text, Limits::default()).expect("reads");
        assert!(got.len() > 1, "read in several parts");
        for part in &got[..got.len() - 1] {
            assert!(part.ends_with('\n'));
        }
        assert_eq!(got.concat().as_bytes(), &text[..]);
    }

    #[test]
    fn a_line_over_its_limit_is_named() {
        let limits = Limits {
            max_input_size: 1 << 30,
            max_line_size: 10,
        };
        let err =
            parts(b"short\nshort too\nthis one is too long\nok\n", limits).expect_err("refused");
        assert_eq!(
            err.to_string(),
            "in.txt:3: line longer than the limit of 10 B (expected a text capture with shorter lines; raise `max_line_size` in flowdiff.toml to read it)"
        );
        // A line without end, longer than a part, is refused once it passes the limit.
        let limits = Limits {
            max_input_size: 1 << 30,
            max_line_size: 3 << 20,
        };
        let endless = std::io::repeat(0).take(1 << 30);
        let mut reader = Parts::new(endless, Path::new("zero"), limits);
        let err = reader.next_part().expect_err("refused");
        assert!(err
            .to_string()
            .starts_with("zero:1: line longer than the limit of 3 MiB"));
    }

    #[test]
    fn an_input_over_its_limit_is_refused() {
        let limits = Limits {
            max_input_size: 1 << 20,
            max_line_size: 100,
        };
        let lines = std::io::repeat(b'\n').take(1 << 30);
        let mut reader = Parts::new(lines, Path::new("big.log"), limits);
        let err = loop {
            match reader.next_part() {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("read to the end"),
                Err(e) => break e,
            }
        };
        assert!(
            err.to_string()
                .starts_with("big.log: larger than the input limit of 1 MiB"),
            "{err}"
        );
    }

    #[test]
    fn a_file_read_whole_fills_one_allocation_of_its_size() {
        // Several parts (a part is a MiB): grown by doubling, the text would hold 4 MiB.
        let mut text = String::new();
        for i in 0..300_000 {
            text.push_str(&format!("line {i}\n"));
        }
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("capture.md");
        std::fs::write(&path, &text).expect("written");
        let read = read_text(&path, Limits::default()).expect("read");
        assert_eq!(read, text);
        assert_eq!(read.capacity(), text.len());
    }

    #[test]
    fn sizes_read_with_units() {
        assert_eq!(parse_size("2 GiB"), Ok(2 << 30));
        assert_eq!(parse_size("1024"), Ok(1024));
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert!(parse_size("lots").is_err());
        assert_eq!(size(2 << 30), "2 GiB");
        assert_eq!(size(1536 << 10), "1.5 MiB");
    }
}
