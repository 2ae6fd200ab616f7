//! The only file that imports wasm-bindgen: converts JS values, calls the core, converts back.

use js_sys::{Error as JsError, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::members::{MemberQuery, MemberRow};
use crate::{export, AnalysisOptions, Error, FileOptions};

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

    /// Starts a chunked file; `size` (bytes, optional) reserves its room at once.
    #[wasm_bindgen(js_name = beginFile)]
    pub fn begin_file(&mut self, name: &str, size: Option<f64>) {
        let size = size.filter(|s| s.is_finite() && *s > 0.0).unwrap_or(0.0);
        // A hint only: capped so a wrong size cannot ask for more than Wasm can give.
        self.inner
            .begin_file_sized(name, (size as usize).min(1 << 31));
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

    /// Runs the analysis; returns the report.
    pub fn analyze(&mut self, options: JsValue) -> Result<JsValue, JsValue> {
        let opts: AnalysisOptions = from_js(options)?;
        to_js(&self.inner.analyze(&opts).map_err(into_error)?.report)
    }

    /// The member table's columns: `[{ key, label_zh, label_en, kind, forecast }]`.
    #[wasm_bindgen(js_name = memberColumns)]
    pub fn member_columns(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.member_columns())
    }

    /// The tag catalogue made for the latest analysis, with counts: `[{ key, name_zh, groups:
    /// [{ key, ..., unavailable_en, unavailable_zh, tags: [{ key, name_zh, name_en, rule,
    /// members, share }] }] }]`.
    #[wasm_bindgen(js_name = tagSummary)]
    pub fn tag_summary(&mut self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.tag_summary().map_err(into_error)?)
    }

    /// How many members a rule selects; a rule error carries `line` and the messages.
    #[wasm_bindgen(js_name = countRule)]
    pub fn count_rule(&mut self, rule: &str) -> Result<f64, JsValue> {
        Ok(self.inner.count_rule(rule).map_err(into_error)? as f64)
    }

    /// Audiences `[{ name, rule }]`: their figures and overlap matrix.
    pub fn audiences(&mut self, defs: JsValue) -> Result<JsValue, JsValue> {
        let defs: Vec<crate::tags::AudienceDef> = from_js(defs)?;
        to_js(&self.inner.audiences(&defs).map_err(into_error)?)
    }

    /// Imports a tag catalogue (JSON text; empty: the shipped one).
    #[wasm_bindgen(js_name = setCatalogue)]
    pub fn set_catalogue(&mut self, json: &str) -> Result<(), JsValue> {
        let json = (!json.trim().is_empty()).then_some(json);
        self.inner.set_catalogue(json).map_err(into_error)
    }

    /// The tag catalogue as JSON, to export and edit.
    #[wasm_bindgen(js_name = catalogueJson)]
    pub fn catalogue_json(&self) -> String {
        self.inner.catalogue_json()
    }

    /// One page of members: `{ total, rows }`.
    #[wasm_bindgen(js_name = queryMembers)]
    pub fn query_members(&self, query: JsValue) -> Result<JsValue, JsValue> {
        let q: MemberQuery = from_js(query)?;
        let (total, members) = self.inner.query_members(&q);
        #[derive(Serialize)]
        struct Page<'a> {
            total: usize,
            rows: Vec<MemberRow<'a>>,
        }
        to_js(&Page {
            total,
            rows: members.into_iter().map(MemberRow).collect(),
        })
    }

    /// The whole filtered list (offset/limit ignored) as CSV or XLSX bytes.
    #[wasm_bindgen(js_name = exportMembers)]
    pub fn export_members(&self, query: JsValue, format: &str) -> Result<Uint8Array, JsValue> {
        let mut q: MemberQuery = from_js(query)?;
        q.offset = 0;
        q.limit = 0;
        let (_, members) = self.inner.query_members(&q);
        let bytes = match format {
            "xlsx" => export::members_xlsx(members).map_err(into_error)?,
            _ => export::members_csv(members),
        };
        Ok(Uint8Array::from(bytes.as_slice()))
    }
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}
