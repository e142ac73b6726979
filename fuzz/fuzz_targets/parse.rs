//! Parsing any text, in every format the detector can pick: whole, and in parts of complete
//! lines the way a large capture is read (a Tempest log, hook Markdown from a file). Must never
//! panic; errors are fine; what reads in parts reads as it does whole.
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
    if let Ok(Some(mut reader)) = flowdiff::parse::PartReader::start(&first, Some(text.len())) {
        for chunk in parts.chunks(3) {
            match reader.feed(&chunk.concat()) {
                Ok(true) => {}
                // To be read whole, or an error: nothing more to compare.
                Ok(false) | Err(_) => return,
            }
        }
        if let (Ok(whole), Ok(Some(streamed))) = (&whole, reader.finish()) {
            assert_eq!(whole.len(), streamed.len(), "the same flows read whole and in parts");
            if whole.len() == 1 {
                assert_eq!(whole, &streamed, "one flow reads in parts as it does whole");
            }
        }
    }
});
