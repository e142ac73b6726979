//! Parsing any text, in every format the detector can pick: whole, and in parts of complete
//! lines the way a large Tempest log is read. Must never panic; errors are fine.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let whole = flowdiff::parse::parse_flows(text);
    // In parts of three lines each, as the command layer feeds a capture read in parts.
    let mut parts = text.split_inclusive('\n').collect::<Vec<_>>();
    let first = parts.drain(..parts.len().min(3)).collect::<String>();
    if let Ok(Some(mut reader)) = flowdiff::parse::PartReader::start(&first) {
        for chunk in parts.chunks(3) {
            if reader.feed(&chunk.concat()).is_err() {
                return;
            }
        }
        let streamed = reader.finish();
        if let (Ok(whole), Ok(streamed)) = (&whole, &streamed) {
            assert_eq!(
                whole.len(),
                streamed.len(),
                "the same flows read whole and in parts"
            );
        }
    }
});
