//! The stateful handle embedders hold: files added (whole or in chunks), options changed,
//! analyses re-run, members queried and exported. Takes bytes, never paths.

use crate::analysis::{self, Analysis, AnalysisOptions};
use crate::error::Error;
use crate::ingest::{self, FileOptions, FileSummary, Ingested};
use crate::render::{self, HtmlOptions};
use crate::strategy::{Playbook, PlaybookError};
use crate::tags::catalogue::{CategorySummary, Tag};
use crate::tags::{
    audience, AudienceDef, AudienceStats, Catalogue, CatalogueError, Rule, RuleError,
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

fn playbook_error(e: PlaybookError) -> Error {
    Error::InvalidPlaybook {
        place: e.place,
        reason_en: e.reason_en,
        reason_zh: e.reason_zh,
    }
}

fn catalogue_error(e: CatalogueError) -> Error {
    Error::InvalidCatalogue {
        place: e.place,
        reason_en: e.reason_en,
        reason_zh: e.reason_zh,
    }
}
use crate::export::{self, HeaderLang, Layout, ListSpec};
use crate::members::{self, Column, MemberQuery, MemberView, COLUMNS};

/// A list's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    /// CSV, UTF-8 with BOM.
    #[default]
    Csv,
    /// Excel workbook.
    Xlsx,
}

struct Entry {
    name: String,
    /// Kept for re-reading with other options, unless the embedder said not to.
    bytes: Option<Vec<u8>>,
    options: FileOptions,
    /// The file as read, or why it could not be read (the file stays, with its bytes, so
    /// other options can be tried; analyses leave it out).
    ingested: Result<Ingested, Error>,
}

/// A file arriving in chunks.
enum Pending {
    /// Its bytes, read once they have all arrived.
    Bytes(Vec<u8>),
    /// Read as they arrive ([`Analyzer::begin_file_streamed`]).
    Stream(ingest::FileStream),
}

/// Files, their options, and the latest analysis.
pub struct Analyzer {
    files: Vec<Entry>,
    pending: Vec<(String, Pending)>,
    last: Option<Analysis>,
    keep_bytes: bool,
    /// The tag scheme: catalogue and saved audiences (the shipped one unless the user
    /// imported another).
    catalogue: Catalogue,
    /// The strategy playbook (the shipped one unless the user imported another).
    playbook: Playbook,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer {
            files: Vec::new(),
            pending: Vec::new(),
            last: None,
            keep_bytes: true,
            catalogue: Catalogue::default_catalogue(),
            playbook: Playbook::default_playbook(),
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
            .push((name.to_string(), Pending::Bytes(Vec::with_capacity(size))));
    }

    /// Starts a file of `size` bytes (0 when unknown) that will arrive in chunks, to be read
    /// with `options` as the chunks arrive: each chunk's text is freed once its rows are read
    /// (`ingest::FileStream`), so the whole text is never held at once. Only when bytes are
    /// not kept ([`Analyzer::set_keep_bytes`]); otherwise as [`Analyzer::begin_file_sized`].
    /// [`Analyzer::finish_file`] must then be given the same options; it fails with
    /// [`Error::ReadWhole`] when the file has to be added again whole.
    pub fn begin_file_streamed(&mut self, name: &str, size: usize, options: FileOptions) {
        if self.keep_bytes {
            return self.begin_file_sized(name, size);
        }
        self.pending.retain(|(n, _)| n != name);
        self.pending.push((
            name.to_string(),
            Pending::Stream(ingest::FileStream::new(name, size, options)),
        ));
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
        match &mut p.1 {
            Pending::Bytes(b) => b.extend_from_slice(chunk),
            Pending::Stream(s) => s.push(chunk),
        }
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
        match self.pending.remove(i).1 {
            Pending::Bytes(bytes) => self.add_file(name, bytes, options),
            Pending::Stream(s) if *s.options() != options => Err(Error::InvalidOption {
                option: "file options".to_string(),
                reason: format!("{name} was begun with other options than it is finished with"),
            }),
            Pending::Stream(s) => self.store(name, s.finish(), None, options),
        }
    }

    /// Adds (or replaces) a whole file.
    pub fn add_file(
        &mut self,
        name: &str,
        bytes: Vec<u8>,
        options: FileOptions,
    ) -> Result<FileSummary, Error> {
        // Bytes not kept are handed over, and freed as soon as they are read. A file that
        // cannot be read is kept with its error when its bytes are, so that the user can
        // choose its kind, sheet or encoding instead of losing it.
        let (ingested, bytes) = if self.keep_bytes {
            (ingest::ingest(name, &bytes, &options), Some(bytes))
        } else {
            (ingest::ingest_owned(name, bytes, &options), None)
        };
        self.store(name, ingested, bytes, options)
    }

    /// Keeps a file as read (with its bytes when kept), or drops it when it could not be read
    /// and its bytes are not kept to try other options.
    fn store(
        &mut self,
        name: &str,
        ingested: Result<Ingested, Error>,
        bytes: Option<Vec<u8>>,
        options: FileOptions,
    ) -> Result<FileSummary, Error> {
        let result = ingested
            .as_ref()
            .map(|i| i.summary.clone())
            .map_err(Clone::clone);
        if ingested.is_ok() || bytes.is_some() {
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
        } else {
            self.files.retain(|e| e.name != name);
        }
        self.last = None;
        result
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
        let ingested = ingest::ingest(name, bytes, &options);
        let result = ingested
            .as_ref()
            .map(|i| i.summary.clone())
            .map_err(Clone::clone);
        e.ingested = ingested;
        e.options = options;
        self.last = None;
        result
    }

    /// Removes a file.
    pub fn remove_file(&mut self, name: &str) {
        self.files.retain(|e| e.name != name);
        self.pending.retain(|(n, _)| n != name);
        self.last = None;
    }

    /// Summaries of the files added, in order.
    pub fn files(&self) -> Vec<&FileSummary> {
        self.files
            .iter()
            .filter_map(|e| e.ingested.as_ref().ok().map(|i| &i.summary))
            .collect()
    }

    /// Why a file added could not be read, if it could not (it stays until removed).
    pub fn file_error(&self, name: &str) -> Option<&Error> {
        self.files
            .iter()
            .find(|e| e.name == name)
            .and_then(|e| e.ingested.as_ref().err())
    }

    /// The first rows of a file as read, its sheets and encoding, whether or not its kind could
    /// be told (for the user to choose it).
    pub fn file_preview(&self, name: &str) -> Result<ingest::Preview, Error> {
        let e = self
            .files
            .iter()
            .find(|e| e.name == name)
            .ok_or_else(|| Error::UnknownFile {
                file: name.to_string(),
            })?;
        let bytes = e.bytes.as_deref().ok_or_else(|| Error::InvalidOption {
            option: "file preview".to_string(),
            reason: format!("{name} was read without keeping its bytes"),
        })?;
        ingest::preview(name, bytes, &e.options)
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
        self.analyze_in_steps(options, &mut |_| {})
    }

    /// As [`Self::analyze`], handing `results` the report before its tags, audiences, action
    /// plan and growth are made ([`analysis::run_in_steps`]).
    pub fn analyze_in_steps(
        &mut self,
        options: &AnalysisOptions,
        results: &mut dyn FnMut(&crate::report::Report),
    ) -> Result<&Analysis, Error> {
        let files: Vec<&Ingested> = self
            .files
            .iter()
            .filter_map(|e| e.ingested.as_ref().ok())
            .collect();
        let a = analysis::run_in_steps(&files, options, &self.catalogue, &self.playbook, results)?;
        Ok(self.last.insert(a))
    }

    /// Replaces the tag scheme with one read from JSON (`None`: the shipped one). With an
    /// analysis at hand its tags and audiences are made again; a rule that cannot be read is
    /// an error naming its place, and the scheme in use is kept.
    pub fn set_catalogue(&mut self, json: Option<&str>) -> Result<(), Error> {
        let scheme = match json {
            Some(text) => Catalogue::from_json(text).map_err(catalogue_error)?,
            None => Catalogue::default_catalogue(),
        };
        self.use_scheme(scheme)
    }

    /// Replaces the saved audiences (the rest of the scheme is kept). Each rule is checked
    /// first; the error names the audience's rule.
    pub fn set_audiences(&mut self, defs: Vec<AudienceDef>) -> Result<(), Error> {
        if let Some(a) = &self.last {
            audience::compile(&defs, &a.tags).map_err(|(i, e)| rule_error(&defs[i].rule, &e))?;
        }
        let mut scheme = self.catalogue.clone();
        scheme.audiences = defs;
        scheme.validate().map_err(catalogue_error)?;
        self.use_scheme(scheme)
    }

    fn use_scheme(&mut self, scheme: Catalogue) -> Result<(), Error> {
        if let Some(a) = &mut self.last {
            let made = scheme.clone().make(&a.members);
            if let Some(e) = made.rule_errors.first() {
                return Err(catalogue_error(e.clone()));
            }
            analysis::retag(a, made, &self.playbook);
        }
        self.catalogue = scheme;
        Ok(())
    }

    /// Replaces the playbook with one read from JSON (`None`: the shipped one). With an
    /// analysis at hand the action plan is made again; a play whose rule cannot be read is an
    /// error naming it, and the playbook in use is kept.
    pub fn set_playbook(&mut self, json: Option<&str>) -> Result<(), Error> {
        let book = match json {
            Some(text) => Playbook::from_json(text).map_err(playbook_error)?,
            None => Playbook::default_playbook(),
        };
        if let Some(a) = &mut self.last {
            for (i, p) in book.plays.iter().enumerate() {
                Rule::compile(&p.rule, &a.tags).map_err(|e| {
                    playbook_error(PlaybookError {
                        place: format!("plays[{i}].rule"),
                        reason_en: format!("{} ({})", e.message_en(), p.key),
                        reason_zh: format!("{}（{}）", e.message_zh(), p.key),
                    })
                })?;
            }
            analysis::replan(a, &book);
        }
        self.playbook = book;
        Ok(())
    }

    /// The playbook as JSON (to export and edit).
    pub fn playbook_json(&self) -> String {
        serde_json::to_string_pretty(&self.playbook).unwrap_or_default()
    }

    /// The last analysis as the client report: one self-contained HTML document (see
    /// [`crate::render`]). Keys are named by the run's tag catalogue, else the shipped one.
    pub fn report_html(&self, opts: &HtmlOptions) -> Result<String, Error> {
        let a = self.last.as_ref().ok_or(Error::NoAnalysis)?;
        let zh = opts.zh();
        let shipped = std::sync::OnceLock::new();
        let names = |column: &str, key: &str| -> Option<String> {
            a.tags
                .value_name(column, key, zh)
                .or_else(|| {
                    shipped
                        .get_or_init(Catalogue::default_catalogue)
                        .value_name(column, key, zh)
                })
                .map(str::to_string)
        };
        Ok(render::report_html(&a.report, &self.playbook, &names, opts))
    }

    /// The last analysis's target decomposition as an XLSX workbook (the target is an
    /// analysis option: without one there is nothing to export).
    pub fn target_xlsx(&self, lang: HeaderLang) -> Result<Vec<u8>, Error> {
        let a = self.last.as_ref().ok_or(Error::NoAnalysis)?;
        let plan = a
            .report
            .growth
            .target
            .as_ref()
            .ok_or_else(|| Error::InvalidOption {
                option: "target".into(),
                reason: "no revenue target is set: give one in the analysis options first".into(),
            })?;
        export::target_xlsx(plan, lang)
    }

    /// The scheme as JSON (to export and edit).
    pub fn catalogue_json(&self) -> String {
        serde_json::to_string_pretty(&self.catalogue).unwrap_or_default()
    }

    fn last(&self) -> Result<&Analysis, Error> {
        self.last.as_ref().ok_or(Error::NoAnalysis)
    }

    /// The catalogue made for the latest analysis: every tag with its count, every group
    /// without its input with the reason.
    pub fn tag_summary(&self) -> Result<&[CategorySummary], Error> {
        Ok(&self.last()?.report.tags.catalogue)
    }

    /// A rule, compiled against the latest analysis's tags.
    pub fn rule(&self, rule: &str) -> Result<Rule, Error> {
        Rule::compile(rule, &self.last()?.tags).map_err(|e| rule_error(rule, &e))
    }

    /// How many members a rule selects (the live count of the rule editor).
    pub fn count_rule(&self, rule: &str) -> Result<usize, Error> {
        let a = self.last()?;
        Ok(self.rule(rule)?.count(&a.members, &a.tags))
    }

    /// The figures and overlaps of audiences (the live audience builder); the first rule that
    /// cannot be read is an error naming it.
    pub fn audiences(&self, defs: &[AudienceDef]) -> Result<Vec<AudienceStats>, Error> {
        let a = self.last()?;
        audience::compile(defs, &a.tags).map_err(|(i, e)| rule_error(&defs[i].rule, &e))?;
        Ok(audience::evaluate(defs, &a.members, &a.tags))
    }

    /// The latest analysis, if any.
    pub fn analysis(&self) -> Option<&Analysis> {
        self.last.as_ref()
    }

    /// P(alive) over the history of the member in table row `row` under the last analysis's
    /// purchase model (`None`: no forecasts, or the member has no dated purchase).
    pub fn alive_history(
        &self,
        row: usize,
    ) -> Result<Option<analysis::alive::AliveHistory>, Error> {
        let a = self.last()?;
        let files: Vec<&Ingested> = self
            .files
            .iter()
            .filter_map(|e| e.ingested.as_ref().ok())
            .collect();
        analysis::alive::history(&files, &a.report, row)
    }

    /// One page of members matching `q` (empty before an analysis); a rule in `q` that cannot
    /// be read is an error.
    pub fn query_members(&self, q: &MemberQuery) -> Result<(usize, Vec<MemberView<'_>>), Error> {
        let Some(a) = &self.last else {
            return Ok((0, Vec::new()));
        };
        match q.rule.as_deref().map(str::trim).filter(|r| !r.is_empty()) {
            Some(text) => {
                let rule = self.rule(text)?;
                let keep = |m: &MemberView<'_>| rule.matches(m, &a.tags);
                Ok(members::page(&a.members, q, Some(&keep)))
            }
            None => Ok(members::page(&a.members, q, None)),
        }
    }

    /// The tags of a member of the latest analysis, in catalogue order.
    pub fn member_tags(&self, m: &MemberView<'_>) -> Vec<&Tag> {
        self.last.iter().flat_map(|a| a.tags.of(m)).collect()
    }

    /// The members matching `q` (offset and limit ignored) as a CSV or XLSX list in `layout`,
    /// with their tags (phones, e-mails and names masked when `mask`); returns the bytes and
    /// the members written.
    pub fn export_list(
        &self,
        q: &MemberQuery,
        format: ExportFormat,
        layout: Layout,
        lang: HeaderLang,
        mask: bool,
    ) -> Result<(Vec<u8>, usize), Error> {
        let mut out = Vec::new();
        let n = self.write_list(&mut out, q, format, layout, lang, mask)?;
        Ok((out, n))
    }

    /// Writes the members matching `q` (offset and limit ignored) as a list in `layout`, with
    /// each member's tags (keys in the `full` layout, names in the others); CSV is streamed,
    /// member by member. Returns the members written (a touch list leaves out those without
    /// a phone).
    pub fn write_list<W: std::io::Write>(
        &self,
        out: W,
        q: &MemberQuery,
        format: ExportFormat,
        layout: Layout,
        lang: HeaderLang,
        mask: bool,
    ) -> Result<usize, Error> {
        let mut q = q.clone();
        q.offset = 0;
        q.limit = 0;
        let (_, members) = self.query_members(&q)?;
        let names = |m: &MemberView<'_>| -> String {
            let Some(a) = &self.last else {
                return String::new();
            };
            let tags = a.tags.of(m);
            match (layout, lang) {
                (Layout::Full, _) => tags.map(|t| t.key.as_str()).collect::<Vec<_>>().join("|"),
                (_, lang) => {
                    let zh = lang == HeaderLang::Zh;
                    let shown: Vec<String> = tags.map(|t| a.tags.display_name(t, zh)).collect();
                    shown.join(if zh { "、" } else { "; " })
                }
            }
        };
        let key_names = |col: &str, key: &str| -> Option<String> {
            let a = self.last.as_ref()?;
            // The states at the comparison date are named as the current ones.
            let col = match (col, key) {
                (_, "new") if col.ends_with("_then") => "movement",
                ("segment_then", _) => "segment",
                ("dormancy_then", _) => "dormancy",
                _ => col,
            };
            a.tags
                .value_name(col, key, lang == HeaderLang::Zh)
                .map(str::to_string)
        };
        let spec = ListSpec {
            mask,
            key_names: Some(&key_names),
            layout,
            lang,
            tags: self
                .last
                .is_some()
                .then_some(&names as export::TagNames<'_>),
            without_forecasts: self
                .last
                .as_ref()
                .is_some_and(|a| !a.members.has_forecasts()),
        };
        match format {
            ExportFormat::Csv => export::write_list_csv(out, &spec, members),
            ExportFormat::Xlsx => {
                let mut out = out;
                let (bytes, n) = export::list_xlsx(&spec, members)?;
                out.write_all(&bytes).map_err(|e| Error::InvalidOption {
                    option: "export".into(),
                    reason: e.to_string(),
                })?;
                Ok(n)
            }
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
