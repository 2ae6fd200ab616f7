#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| memberlens_fuzz::csv_ingest(data));
