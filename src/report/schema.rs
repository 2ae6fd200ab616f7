//! The report's JSON Schema, derived from the structs, and the field tables of
//! `docs/report.md` generated from it. The page's TypeScript declarations are generated from
//! the same schema (`www/scripts/gen-types.mjs`, run by `scripts/test.sh`). Tests fail when a
//! checked-in copy drifts.

use serde_json::{json, Map, Value};

use super::Report;
use crate::members::{Column, ColumnKind, COLUMNS};

/// The JSON Schema of the report (draft 2020-12), with every section under `$defs`.
///
/// Every property is required: the report never leaves a field out (an absent value is
/// written as `null`), which is what schemars cannot tell from an `Option` alone.
pub fn report_schema() -> Value {
    let mut generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    // The member table's column list and rows travel beside the report (`memberColumns()`,
    // `queryMembers()`): their types are generated with it.
    generator.subschema_for::<Column>();
    let schema = generator.into_root_schema_for::<Report>();
    let mut v = schema.to_value();
    if let Some(Value::Object(defs)) = v.get_mut("$defs") {
        defs.insert("MemberRow".into(), member_row_schema());
    }
    require_all(&mut v);
    v
}

/// A member row as the page reads it: one property per column of [`COLUMNS`].
fn member_row_schema() -> Value {
    let props: Map<String, Value> = COLUMNS
        .iter()
        .map(|c| {
            let nullable = |t: &str| json!({ "type": [t, "null"] });
            let schema = match c.kind {
                ColumnKind::Text | ColumnKind::Key => nullable("string"),
                ColumnKind::Integer => nullable("integer"),
                ColumnKind::Number | ColumnKind::Money | ColumnKind::Rate => nullable("number"),
                ColumnKind::Date => json!({ "type": ["string", "null"], "format": "date" }),
                ColumnKind::List => json!({ "type": "array", "items": { "type": "string" } }),
                ColumnKind::Bool => json!({ "type": "boolean" }),
            };
            let mut schema = schema;
            schema["description"] = json!(format!("{} ({})", c.label_en, c.label_zh));
            (c.key.to_string(), schema)
        })
        .collect();
    json!({
        "description": "One member of the member table: a property per column (see `Column`).",
        "type": "object",
        "properties": props,
        "additionalProperties": false
    })
}

fn require_all(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if let Some(Value::Object(props)) = o.get("properties") {
                let keys: Vec<Value> = props.keys().map(|k| Value::String(k.clone())).collect();
                o.insert("required".into(), Value::Array(keys));
            }
            o.values_mut().for_each(require_all);
        }
        Value::Array(a) => a.iter_mut().for_each(require_all),
        _ => {}
    }
}

/// The type of a property as a reader sees it: `integer`, `Inventory`, `string | null`, ...
fn type_name(v: &Value) -> String {
    let Some(o) = v.as_object() else {
        return "any".into();
    };
    if let Some(r) = o.get("$ref").and_then(Value::as_str) {
        return format!("[`{0}`](#{1})", ref_name(r), ref_name(r).to_lowercase());
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(list) = o.get(key).and_then(Value::as_array) {
            let names: Vec<String> = list.iter().map(type_name).collect();
            return names.join(" \\| ");
        }
    }
    if let Some(values) = o.get("enum").and_then(Value::as_array) {
        return values
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(" \\| ");
    }
    if let Some(c) = o.get("const") {
        return format!("`{c}`");
    }
    let types: Vec<String> = match o.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(|t| t.as_str().map(String::from))
            .collect(),
        _ => vec!["any".into()],
    };
    types
        .iter()
        .map(|t| match t.as_str() {
            "array" => match (o.get("prefixItems"), o.get("items")) {
                (Some(Value::Array(items)), _) => {
                    format!("[{}; {}]", type_name(&items[0]), items.len())
                }
                (_, Some(items)) => match type_name(items) {
                    t if t.contains(" \\| ") => format!("({t})[]"),
                    t => format!("{t}[]"),
                },
                _ => "array".into(),
            },
            "object" => match (o.get("additionalProperties"), o.get("properties")) {
                (Some(v @ Value::Object(_)), _) => format!("{{key: {}}}", type_name(v)),
                (_, Some(Value::Object(props))) => format!(
                    "{{{}}}",
                    props
                        .iter()
                        .map(|(k, p)| format!("{k}: {}", type_name(p)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                _ => "object".into(),
            },
            "string" => match o.get("format").and_then(Value::as_str) {
                Some("date") => "date `YYYY-MM-DD`".into(),
                _ => "string".into(),
            },
            other => other.into(),
        })
        .collect::<Vec<_>>()
        .join(" \\| ")
}

fn ref_name(r: &str) -> &str {
    r.rsplit('/').next().unwrap_or(r)
}

/// A description on one line, pipes escaped for a Markdown table.
fn one_line(v: Option<&Value>) -> String {
    v.and_then(Value::as_str)
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// A table of the properties of an object schema; `None` for a schema without properties.
fn property_table(def: &Map<String, Value>) -> Option<String> {
    let props = def.get("properties")?.as_object()?;
    let required: Vec<&str> = def
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut out = String::from("| field | type | meaning |\n|---|---|---|\n");
    for (name, p) in props {
        let optional = if required.contains(&name.as_str()) {
            ""
        } else {
            " (optional)"
        };
        out += &format!(
            "| `{name}` | {}{optional} | {} |\n",
            type_name(p),
            one_line(p.get("description"))
        );
    }
    if let Some(variants) = def.get("oneOf").and_then(Value::as_array) {
        out += "\nAnd, by `code`, one of:\n\n";
        out += &variant_list(variants);
    }
    Some(out)
}

/// The field tables of every report type, in the order a reader meets them (the report
/// first, then each type the first time it is referred to).
pub fn markdown_tables(schema: &Value) -> String {
    let defs = schema
        .get("$defs")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let empty = Map::new();
    let def_of = |name: &str| -> &Map<String, Value> {
        let def = if name == "Report" {
            schema.as_object()
        } else {
            defs.get(name).and_then(Value::as_object)
        };
        def.unwrap_or(&empty)
    };
    // One worklist: the report, each type the first time it is referred to, then the types
    // that travel beside the report (the member columns and rows) with theirs.
    let mut order: Vec<String> = vec!["Report".into()];
    let mut i = 0;
    loop {
        if i == order.len() {
            match defs.keys().find(|k| !order.contains(k)) {
                Some(k) => order.push(k.clone()),
                None => break,
            }
        }
        let mut refs = Vec::new();
        collect_refs(&Value::Object(def_of(&order[i]).clone()), &mut refs);
        for r in refs {
            if !order.contains(&r) {
                order.push(r);
            }
        }
        i += 1;
    }
    let mut out = String::new();
    for name in &order {
        let def = def_of(name).clone();
        out += &format!("### {name}\n\n");
        let description = one_line(def.get("description"));
        if !description.is_empty() {
            out += &format!("{description}\n\n");
        }
        match property_table(&def) {
            Some(t) => out += &t,
            None => {
                let variants = def
                    .get("oneOf")
                    .or_else(|| def.get("anyOf"))
                    .and_then(Value::as_array);
                match variants {
                    Some(vs) => {
                        out += "One of:\n\n";
                        out += &variant_list(vs);
                    }
                    None => out += &format!("Type: {}\n", type_name(&Value::Object(def))),
                }
            }
        }
        out += "\n";
    }
    out
}

/// A bullet per variant of a `oneOf`, with its description.
fn variant_list(variants: &[Value]) -> String {
    variants
        .iter()
        .map(|v| match one_line(v.get("description")).as_str() {
            "" => format!("- {}\n", variant_text(v)),
            d => format!("- {}: {d}\n", variant_text(v)),
        })
        .collect()
}

/// One variant of a `oneOf`: a constant, or an object with its tag and fields.
fn variant_text(v: &Value) -> String {
    if let Some(c) = v.get("const") {
        return format!("`{c}`");
    }
    if let Some(e) = v.get("enum").and_then(Value::as_array) {
        return e
            .iter()
            .map(|x| format!("`{x}`"))
            .collect::<Vec<_>>()
            .join(", ");
    }
    match v.get("properties").and_then(Value::as_object) {
        Some(props) => props
            .iter()
            .map(|(k, p)| match p.get("const") {
                Some(c) => format!("`{k}`: `{c}`"),
                None => format!("`{k}`: {}", type_name(p)),
            })
            .collect::<Vec<_>>()
            .join(", "),
        None => type_name(v),
    }
}

fn collect_refs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, x) in o {
                if k == "$defs" {
                    continue;
                }
                if k == "$ref" {
                    if let Some(r) = x.as_str() {
                        let name = ref_name(r).to_string();
                        if !out.contains(&name) {
                            out.push(name);
                        }
                    }
                } else {
                    collect_refs(x, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const BEGIN: &str =
        "<!-- BEGIN GENERATED FIELD TABLES (cargo test report_schema; do not edit by hand) -->";
    const END: &str = "<!-- END GENERATED FIELD TABLES -->";

    /// Compares a generated text with its checked-in copy; `MEMBERLENS_UPDATE_SCHEMA=1`
    /// rewrites the copy instead (a deliberate update, reviewed in the diff).
    fn check_or_update(path: &Path, want: &str) {
        let have = std::fs::read_to_string(path).unwrap_or_default();
        if have == want {
            return;
        }
        if std::env::var_os("MEMBERLENS_UPDATE_SCHEMA").is_some() {
            std::fs::write(path, want).unwrap();
            return;
        }
        panic!(
            "{} is out of date with the report structs. Run \
             `MEMBERLENS_UPDATE_SCHEMA=1 cargo test --release --lib report_schema` and review the diff.",
            path.display()
        );
    }

    #[test]
    fn report_schema_and_docs_are_current() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let schema = report_schema();
        let json = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        check_or_update(&root.join("docs/report.schema.json"), &json);

        let doc_path = root.join("docs/report.md");
        let doc = std::fs::read_to_string(&doc_path).unwrap();
        let (Some(a), Some(b)) = (doc.find(BEGIN), doc.find(END)) else {
            panic!("docs/report.md has no generated-tables markers");
        };
        let want = format!(
            "{}{BEGIN}\n\n{}{}",
            &doc[..a],
            markdown_tables(&schema),
            &doc[b..]
        );
        check_or_update(&doc_path, &want);
    }

    #[test]
    fn every_report_field_is_documented() {
        let schema = report_schema();
        let mut missing = Vec::new();
        let mut check = |owner: &str, def: &Value| {
            if let Some(props) = def.get("properties").and_then(Value::as_object) {
                for (k, p) in props {
                    let described = p.get("description").is_some()
                        || p.get("$ref").is_some() && p.as_object().is_some_and(|o| o.len() > 1);
                    if !described && one_line(p.get("description")).is_empty() {
                        missing.push(format!("{owner}.{k}"));
                    }
                }
            }
        };
        check("Report", &schema);
        for (name, def) in schema["$defs"].as_object().unwrap() {
            check(name, def);
        }
        assert!(
            missing.is_empty(),
            "fields without a doc comment: {missing:?}"
        );
    }
}
