#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| memberlens_fuzz::xlsx_ingest(data));
