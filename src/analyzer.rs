//! The stateful handle embedders hold: files added (whole or in chunks), options changed,
//! analyses re-run, members queried and exported. Takes bytes, never paths.

use crate::analysis::{self, Analysis, AnalysisOptions};
use crate::error::Error;
use crate::ingest::{self, FileOptions, FileSummary, Ingested};
use crate::tags::catalogue::CategorySummary;
use crate::tags::{
    audience, AudienceDef, AudienceReport, Catalogue, CatalogueError, Rule, RuleError, Tags,
};

fn rule_error(rule: &str, e: &RuleError) -> Error {
    Error::InvalidRule {
        rule: rule.to_string(),
        line: e.line,
        column: e.column,
        message_en: e.message_en(),
        message_zh: e.message_zh(),
    }
}

fn catalogue_error(e: CatalogueError) -> Error {
    Error::InvalidCatalogue {
        place: e.place,
        reason_en: e.reason_en,
        reason_zh: e.reason_zh,
    }
}
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
    /// The tag catalogue (the shipped one unless the user imported another).
    catalogue: Catalogue,
    /// The catalogue's tags made for the latest analysis (made when first asked for).
    tags: Option<Tags>,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer {
            files: Vec::new(),
            pending: Vec::new(),
            last: None,
            keep_bytes: true,
            catalogue: Catalogue::default_catalogue(),
            tags: None,
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
        self.tags = None;
        Ok(self.last.insert(a))
    }

    /// Replaces the tag catalogue with one read from JSON (`None`: the shipped one).
    pub fn set_catalogue(&mut self, json: Option<&str>) -> Result<(), Error> {
        self.catalogue = match json {
            Some(text) => Catalogue::from_json(text).map_err(catalogue_error)?,
            None => Catalogue::default_catalogue(),
        };
        self.tags = None;
        Ok(())
    }

    /// The catalogue as JSON (to export and edit).
    pub fn catalogue_json(&self) -> String {
        serde_json::to_string_pretty(&self.catalogue).unwrap_or_default()
    }

    fn tags(&mut self) -> Result<(&Analysis, &Tags), Error> {
        let analysis = self.last.as_ref().ok_or(Error::NoAnalysis)?;
        if self.tags.is_none() {
            let made = self
                .catalogue
                .clone()
                .make(&analysis.members)
                .map_err(catalogue_error)?;
            self.tags = Some(made);
        }
        match &self.tags {
            Some(t) => Ok((analysis, t)),
            None => Err(Error::NoAnalysis),
        }
    }

    /// The catalogue made for the latest analysis: every tag with its count, every group
    /// without its input with the reason.
    pub fn tag_summary(&mut self) -> Result<Vec<CategorySummary>, Error> {
        let (analysis, tags) = self.tags()?;
        Ok(tags.summary(&analysis.members))
    }

    /// How many members a rule selects (the live count of the rule editor).
    pub fn count_rule(&mut self, rule: &str) -> Result<usize, Error> {
        let (analysis, tags) = self.tags()?;
        let compiled = Rule::compile(rule, tags).map_err(|e| rule_error(rule, &e))?;
        Ok(compiled.count(&analysis.members, tags))
    }

    /// The audiences' figures and overlaps.
    pub fn audiences(&mut self, defs: &[AudienceDef]) -> Result<AudienceReport, Error> {
        let (analysis, tags) = self.tags()?;
        let rules =
            audience::compile(defs, tags).map_err(|(i, e)| rule_error(&defs[i].rule, &e))?;
        Ok(audience::evaluate(defs, &rules, &analysis.members, tags))
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
