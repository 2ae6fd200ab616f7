//! The benchmark examples' arguments: a count first, then where to write (each example uses a
//! part, so unused functions are allowed).
#![allow(dead_code)]

use std::path::PathBuf;

/// The first argument as a count, else `default`.
pub fn count(default: u64) -> u64 {
    std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The second argument as the file to write, else `default`; its folder is made.
pub fn out_file(default: &str) -> std::io::Result<PathBuf> {
    let path = PathBuf::from(std::env::args().nth(2).unwrap_or_else(|| default.into()));
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    Ok(path)
}

/// The second argument as the folder to write into, else `default`; it is made.
pub fn out_dir(default: &str) -> std::io::Result<PathBuf> {
    let dir = PathBuf::from(std::env::args().nth(2).unwrap_or_else(|| default.into()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
