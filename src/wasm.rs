//! The only file that imports wasm-bindgen: converts JS values, calls the core, converts back.

use js_sys::{Error as JsError, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::analyzer::ExportFormat;
use crate::export::{HeaderLang, Layout};
use crate::members::{MemberQuery, MemberRow};
use crate::render::HtmlOptions;
use crate::{AnalysisOptions, Error, FileOptions};

/// One serializer for every record crossing the boundary: maps become plain objects.
fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsValue> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsValue::from(JsError::new(&e.to_string())))
}

fn from_js<T: serde::de::DeserializeOwned + Default>(v: JsValue) -> Result<T, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(T::default());
    }
    serde_wasm_bindgen::from_value(v).map_err(|e| {
        let err = JsError::new(&format!("invalid options: {e}"));
        let _ = Reflect::set(&err, &"code".into(), &"invalid_option".into());
        err.into()
    })
}

/// Turns a core error into a JS `Error` keeping its structured fields (biome's `into_error`).
fn into_error(e: Error) -> JsValue {
    let err = JsError::new(&e.message_en());
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&err, &k.into(), &v);
    };
    set("code", e.code().into());
    set("message_zh", e.message_zh().into());
    if let Some(f) = e.file() {
        set("file", f.into());
    }
    if let Some(l) = e.line() {
        set("line", (l as f64).into());
    }
    if let Some(c) = e.column() {
        set("column", c.into());
    }
    // A rule's position: the column is a number (a character of the rule's line).
    if let Error::InvalidRule { column, .. } = &e {
        set("column", (*column as f64).into());
    }
    err.into()
}

/// Installs the panic hook so a panic reaches the console with its message.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// The crate version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The first rows of a file as read with `options` (`{ headers, rows, sheets, sheet, encoding,
/// delimiter }`), from its bytes: what `Analyzer.filePreview` gives for a file whose bytes
/// were not kept.
#[wasm_bindgen(js_name = previewBytes)]
pub fn preview_bytes(name: &str, bytes: &[u8], options: JsValue) -> Result<JsValue, JsValue> {
    let opts: FileOptions = from_js(options)?;
    to_js(&crate::ingest::preview(name, bytes, &opts).map_err(into_error)?)
}

/// The stateful handle that lives in the Web Worker.
#[wasm_bindgen]
pub struct Analyzer {
    inner: crate::Analyzer,
}

#[wasm_bindgen]
impl Analyzer {
    /// An empty analyzer.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Analyzer {
        Analyzer {
            inner: crate::Analyzer::new(),
        }
    }

    /// Whether a file's bytes stay in Wasm memory once its rows are read (default true), for
    /// `setFileOptions` and `filePreview`. The worker turns it off: it keeps the `File` and
    /// reads it again for other options (`previewBytes` for the first rows of a file that
    /// failed), so a large file is not held twice. A file that fails to read is then not kept.
    #[wasm_bindgen(js_name = setKeepBytes)]
    pub fn set_keep_bytes(&mut self, keep: bool) {
        self.inner.set_keep_bytes(keep);
    }

    /// Starts a chunked file; `size` (bytes, optional) reserves its room at once. With
    /// `options` (those `finishFile` will be given), the rows are read as the chunks arrive
    /// and each chunk's text is freed (when bytes are not kept); `finishFile` may then fail
    /// with code `read_whole`: begin the file again without options.
    #[wasm_bindgen(js_name = beginFile)]
    pub fn begin_file(
        &mut self,
        name: &str,
        size: Option<f64>,
        options: JsValue,
    ) -> Result<(), JsValue> {
        let size = size.filter(|s| s.is_finite() && *s > 0.0).unwrap_or(0.0);
        // A hint only: capped so a wrong size cannot ask for more than Wasm can give.
        let size = (size as usize).min(1 << 31);
        if options.is_undefined() || options.is_null() {
            self.inner.begin_file_sized(name, size);
        } else {
            self.inner
                .begin_file_streamed(name, size, from_js(options)?);
        }
        Ok(())
    }

    /// Appends a chunk.
    #[wasm_bindgen(js_name = pushChunk)]
    pub fn push_chunk(&mut self, name: &str, bytes: &[u8]) -> Result<(), JsValue> {
        self.inner.push_chunk(name, bytes).map_err(into_error)
    }

    /// Parses a chunked file; returns its summary.
    #[wasm_bindgen(js_name = finishFile)]
    pub fn finish_file(&mut self, name: &str, options: JsValue) -> Result<JsValue, JsValue> {
        let opts: FileOptions = from_js(options)?;
        to_js(&self.inner.finish_file(name, opts).map_err(into_error)?)
    }

    /// Re-reads a file with new options.
    /// The first rows of a file as read (`{ headers, rows, sheets, sheet, encoding,
    /// delimiter }`), whether or not it could be classified: for the user to choose its kind,
    /// sheet or encoding. A file that failed to read stays added until removed.
    #[wasm_bindgen(js_name = filePreview)]
    pub fn file_preview(&self, name: &str) -> Result<JsValue, JsValue> {
        to_js(&self.inner.file_preview(name).map_err(into_error)?)
    }

    #[wasm_bindgen(js_name = setFileOptions)]
    pub fn set_file_options(&mut self, name: &str, options: JsValue) -> Result<JsValue, JsValue> {
        let opts: FileOptions = from_js(options)?;
        to_js(
            &self
                .inner
                .set_file_options(name, opts)
                .map_err(into_error)?,
        )
    }

    /// Removes a file.
    #[wasm_bindgen(js_name = removeFile)]
    pub fn remove_file(&mut self, name: &str) {
        self.inner.remove_file(name);
    }

    /// Runs the analysis; returns the report. `results`, when given, is called first with the
    /// report without its `tags`, `audiences`, `action_plan` and `growth` keys, as soon as the
    /// rest exists (the page draws it while those are made); what it throws is ignored.
    pub fn analyze(
        &mut self,
        options: JsValue,
        results: Option<js_sys::Function>,
    ) -> Result<JsValue, JsValue> {
        let opts: AnalysisOptions = from_js(options)?;
        let mut hand_over = |report: &crate::report::Report| {
            let Some(f) = &results else { return };
            let Ok(v) = to_js(report) else { return };
            for key in ["tags", "audiences", "action_plan", "growth"] {
                let _ = Reflect::delete_property(
                    v.unchecked_ref::<js_sys::Object>(),
                    &JsValue::from_str(key),
                );
            }
            let _ = f.call1(&JsValue::NULL, &v);
        };
        to_js(
            &self
                .inner
                .analyze_in_steps(&opts, &mut hand_over)
                .map_err(into_error)?
                .report,
        )
    }

    /// The member table's columns: `[{ key, label_zh, label_en, kind, forecast }]`.
    #[wasm_bindgen(js_name = memberColumns)]
    pub fn member_columns(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.member_columns())
    }

    /// The tag catalogue made for the latest analysis, with counts (the report's
    /// `tags.catalogue`): `[{ key, name_zh, groups: [{ key, ..., unavailable_en, unavailable_zh,
    /// tags: [{ key, name_zh, name_en, rule, members, share }] }] }]`.
    #[wasm_bindgen(js_name = tagSummary)]
    pub fn tag_summary(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.tag_summary().map_err(into_error)?)
    }

    /// How many members a rule selects; a rule error carries `line`, `column` and the messages.
    #[wasm_bindgen(js_name = countRule)]
    pub fn count_rule(&self, rule: &str) -> Result<f64, JsValue> {
        Ok(self.inner.count_rule(rule).map_err(into_error)? as f64)
    }

    /// Audiences `[{ name, rule }]`: their figures and overlaps (the report's `audiences[]`
    /// shape); the first rule that cannot be read is an error.
    pub fn audiences(&self, defs: JsValue) -> Result<JsValue, JsValue> {
        let defs: Vec<crate::tags::AudienceDef> = from_js(defs)?;
        to_js(&self.inner.audiences(&defs).map_err(into_error)?)
    }

    /// Saves audiences `[{ name, rule }]` in the scheme (the report's `audiences[]` follows).
    #[wasm_bindgen(js_name = setAudiences)]
    pub fn set_audiences(&mut self, defs: JsValue) -> Result<(), JsValue> {
        let defs: Vec<crate::tags::AudienceDef> = from_js(defs)?;
        self.inner.set_audiences(defs).map_err(into_error)
    }

    /// Imports a tag scheme (JSON text; empty: the shipped one).
    #[wasm_bindgen(js_name = setCatalogue)]
    pub fn set_catalogue(&mut self, json: &str) -> Result<(), JsValue> {
        let json = (!json.trim().is_empty()).then_some(json);
        self.inner.set_catalogue(json).map_err(into_error)
    }

    /// The tag scheme (catalogue and saved audiences) as JSON, to export and edit.
    #[wasm_bindgen(js_name = catalogueJson)]
    pub fn catalogue_json(&self) -> String {
        self.inner.catalogue_json()
    }

    /// Imports a strategy playbook (JSON text; empty: the shipped one); the report's
    /// `action_plan` follows.
    #[wasm_bindgen(js_name = setPlaybook)]
    pub fn set_playbook(&mut self, json: &str) -> Result<(), JsValue> {
        let json = (!json.trim().is_empty()).then_some(json);
        self.inner.set_playbook(json).map_err(into_error)
    }

    /// The strategy playbook as JSON, to export and edit.
    #[wasm_bindgen(js_name = playbookJson)]
    pub fn playbook_json(&self) -> String {
        self.inner.playbook_json()
    }

    /// The latest report (after `analyze`, `setCatalogue`, `setAudiences` or `setPlaybook`).
    pub fn report(&self) -> Result<JsValue, JsValue> {
        let a = self
            .inner
            .analysis()
            .ok_or_else(|| into_error(Error::NoAnalysis))?;
        to_js(&a.report)
    }

    /// The client report: one self-contained HTML document (inline styles and SVG charts, no
    /// request). `options`: `{ title?, brand?, lang?: 'zh' | 'en', date?: 'YYYY-MM-DD' }`.
    #[wasm_bindgen(js_name = reportHtml)]
    pub fn report_html(&self, options: JsValue) -> Result<String, JsValue> {
        let opts: HtmlOptions = if options.is_undefined() || options.is_null() {
            HtmlOptions::default()
        } else {
            from_js(options)?
        };
        self.inner.report_html(&opts).map_err(into_error)
    }

    /// The target decomposition (目标拆解) of the last analysis as XLSX bytes, headers in
    /// `lang` (`zh` by default). Needs a `target` in the analysis options.
    #[wasm_bindgen(js_name = exportTarget)]
    pub fn export_target(&self, lang: Option<String>) -> Result<Uint8Array, JsValue> {
        let lang = if lang.as_deref() == Some("en") {
            HeaderLang::En
        } else {
            HeaderLang::Zh
        };
        let bytes = self.inner.target_xlsx(lang).map_err(into_error)?;
        Ok(Uint8Array::from(bytes.as_slice()))
    }

    /// One page of members: `{ total, rows }`, each row with its `tags` (keys). `rule` in the
    /// query filters by a rule (an error names its line and column).
    #[wasm_bindgen(js_name = queryMembers)]
    pub fn query_members(&self, query: JsValue) -> Result<JsValue, JsValue> {
        let q: MemberQuery = from_js(query)?;
        let (total, members) = self.inner.query_members(&q).map_err(into_error)?;
        #[derive(Serialize)]
        struct Row<'a> {
            #[serde(flatten)]
            row: MemberRow<'a>,
            tags: Vec<&'a str>,
            /// The member's table row (for `aliveHistory`).
            table_row: usize,
        }
        #[derive(Serialize)]
        struct Page<'a> {
            total: usize,
            rows: Vec<Row<'a>>,
        }
        let rows = members
            .into_iter()
            .map(|m| Row {
                table_row: m.index(),
                tags: self
                    .inner
                    .member_tags(&m)
                    .into_iter()
                    .map(|t| t.key.as_str())
                    .collect(),
                row: MemberRow(m),
            })
            .collect();
        to_js(&Page { total, rows })
    }

    /// P(alive) over the history of the member in table row `row` (a row's `table_row`):
    /// `{model, purchase_days, points: [[day, p], ...]}`, or `null` without forecasts or
    /// dated purchases.
    #[wasm_bindgen(js_name = aliveHistory)]
    pub fn alive_history(&self, row: u32) -> Result<JsValue, JsValue> {
        let h = self.inner.alive_history(row as usize).map_err(into_error)?;
        to_js(&h)
    }

    /// The whole filtered list (offset/limit ignored) as CSV or XLSX bytes. `layout`: `full`
    /// (default: every column, keys as headers), `labelled` (every column, headers, names
    /// and tags in `lang`), `audience` (contacts, guide, segment, tags;
    /// headers in `lang`, `zh` by default) or `touch` (phone, name, guide: members with a phone);
    /// `mask` hides the middle of phones and all but the first character of names and e-mails.
    #[wasm_bindgen(js_name = exportMembers)]
    pub fn export_members(
        &self,
        query: JsValue,
        format: &str,
        layout: Option<String>,
        lang: Option<String>,
        mask: Option<bool>,
    ) -> Result<Uint8Array, JsValue> {
        let q: MemberQuery = from_js(query)?;
        let format = if format == "xlsx" {
            ExportFormat::Xlsx
        } else {
            ExportFormat::Csv
        };
        let layout = match layout.as_deref() {
            Some("audience") => Layout::Audience,
            Some("touch") => Layout::Touch,
            Some("labelled") => Layout::Labelled,
            _ => Layout::Full,
        };
        let lang = if lang.as_deref() == Some("en") {
            HeaderLang::En
        } else {
            HeaderLang::Zh
        };
        let (bytes, _) = self
            .inner
            .export_list(&q, format, layout, lang, mask.unwrap_or(false))
            .map_err(into_error)?;
        Ok(Uint8Array::from(bytes.as_slice()))
    }
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}
