//! The stateful handle embedders hold: files added (whole or in chunks), options changed,
//! analyses re-run, members queried and exported. Takes bytes, never paths.

use crate::analysis::{self, Analysis, AnalysisOptions};
use crate::error::Error;
use crate::ingest::{self, FileOptions, FileSummary, Ingested};
use crate::members::{self, Column, MemberQuery, MemberView, COLUMNS};

struct Entry {
    name: String,
    /// Kept for re-reading with other options, unless the embedder said not to.
    bytes: Option<Vec<u8>>,
    options: FileOptions,
    ingested: Ingested,
}

/// Files, their options, and the latest analysis.
pub struct Analyzer {
    files: Vec<Entry>,
    pending: Vec<(String, Vec<u8>)>,
    last: Option<Analysis>,
    keep_bytes: bool,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer {
            files: Vec::new(),
            pending: Vec::new(),
            last: None,
            keep_bytes: true,
        }
    }
}

impl Analyzer {
    /// An empty analyzer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether file bytes are kept for [`Analyzer::set_file_options`] (default true).
    /// A one-shot caller such as the CLI turns it off to halve its memory.
    pub fn set_keep_bytes(&mut self, keep: bool) {
        self.keep_bytes = keep;
    }

    /// Starts a file that will arrive in chunks.
    pub fn begin_file(&mut self, name: &str) {
        self.begin_file_sized(name, 0);
    }

    /// Starts a file of `size` bytes that will arrive in chunks: the room is taken once
    /// (no copy of what arrived each time the buffer would have doubled).
    pub fn begin_file_sized(&mut self, name: &str, size: usize) {
        self.pending.retain(|(n, _)| n != name);
        self.pending
            .push((name.to_string(), Vec::with_capacity(size)));
    }

    /// Appends a chunk to a file begun with [`Analyzer::begin_file`].
    pub fn push_chunk(&mut self, name: &str, chunk: &[u8]) -> Result<(), Error> {
        let p = self
            .pending
            .iter_mut()
            .find(|(n, _)| n == name)
            .ok_or_else(|| Error::UnknownFile {
                file: name.to_string(),
            })?;
        p.1.extend_from_slice(chunk);
        Ok(())
    }

    /// Parses a chunked file once all its chunks have arrived.
    pub fn finish_file(&mut self, name: &str, options: FileOptions) -> Result<FileSummary, Error> {
        let i = self
            .pending
            .iter()
            .position(|(n, _)| n == name)
            .ok_or_else(|| Error::UnknownFile {
                file: name.to_string(),
            })?;
        let (_, bytes) = self.pending.remove(i);
        self.add_file(name, bytes, options)
    }

    /// Adds (or replaces) a whole file.
    pub fn add_file(
        &mut self,
        name: &str,
        bytes: Vec<u8>,
        options: FileOptions,
    ) -> Result<FileSummary, Error> {
        // Bytes not kept are handed over, and freed as soon as they are read.
        let (ingested, bytes) = if self.keep_bytes {
            (ingest::ingest(name, &bytes, &options)?, Some(bytes))
        } else {
            (ingest::ingest_owned(name, bytes, &options)?, None)
        };
        let summary = ingested.summary.clone();
        let entry = Entry {
            name: name.to_string(),
            bytes,
            options,
            ingested,
        };
        match self.files.iter_mut().find(|e| e.name == name) {
            Some(e) => *e = entry,
            None => self.files.push(entry),
        }
        self.last = None;
        Ok(summary)
    }

    /// Re-reads a file's kept bytes with new options (encoding, kind, column roles).
    pub fn set_file_options(
        &mut self,
        name: &str,
        options: FileOptions,
    ) -> Result<FileSummary, Error> {
        let e = self
            .files
            .iter_mut()
            .find(|e| e.name == name)
            .ok_or_else(|| Error::UnknownFile {
                file: name.to_string(),
            })?;
        let bytes = e.bytes.as_deref().ok_or_else(|| Error::InvalidOption {
            option: "file options".to_string(),
            reason: format!(
                "{name} was read without keeping its bytes; add it again with the new options"
            ),
        })?;
        let ingested = ingest::ingest(name, bytes, &options)?;
        let summary = ingested.summary.clone();
        e.ingested = ingested;
        e.options = options;
        self.last = None;
        Ok(summary)
    }

    /// Removes a file.
    pub fn remove_file(&mut self, name: &str) {
        self.files.retain(|e| e.name != name);
        self.pending.retain(|(n, _)| n != name);
        self.last = None;
    }

    /// Summaries of the files added, in order.
    pub fn files(&self) -> Vec<&FileSummary> {
        self.files.iter().map(|e| &e.ingested.summary).collect()
    }

    /// The options a file was read with.
    pub fn file_options(&self, name: &str) -> Option<&FileOptions> {
        self.files
            .iter()
            .find(|e| e.name == name)
            .map(|e| &e.options)
    }

    /// Runs the analysis over all files and keeps it for queries.
    pub fn analyze(&mut self, options: &AnalysisOptions) -> Result<&Analysis, Error> {
        let files: Vec<&Ingested> = self.files.iter().map(|e| &e.ingested).collect();
        let a = analysis::run(&files, options)?;
        Ok(self.last.insert(a))
    }

    /// The latest analysis, if any.
    pub fn analysis(&self) -> Option<&Analysis> {
        self.last.as_ref()
    }

    /// One page of members matching `q` (empty before an analysis).
    pub fn query_members(&self, q: &MemberQuery) -> (usize, Vec<MemberView<'_>>) {
        match &self.last {
            Some(a) => members::page(&a.members, q),
            None => (0, Vec::new()),
        }
    }

    /// The member table's columns (the forecast ones only when forecasts were computed).
    pub fn member_columns(&self) -> Vec<&'static Column> {
        let forecasts = self
            .last
            .as_ref()
            .is_some_and(|a| a.members.has_forecasts());
        COLUMNS
            .iter()
            .filter(|c| forecasts || !c.forecast)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_are_kept_only_when_asked() {
        let csv = b"order_id,order_time,phone,amount\n1,2024-01-01,13800000000,10\n".to_vec();
        let mut a = Analyzer::new();
        a.add_file("a.csv", csv.clone(), FileOptions::default())
            .unwrap();
        assert!(a.set_file_options("a.csv", FileOptions::default()).is_ok());
        a.set_keep_bytes(false);
        a.add_file("b.csv", csv, FileOptions::default()).unwrap();
        assert!(a
            .files
            .iter()
            .find(|e| e.name == "b.csv")
            .unwrap()
            .bytes
            .is_none());
        assert!(a.set_file_options("b.csv", FileOptions::default()).is_err());
    }
}
