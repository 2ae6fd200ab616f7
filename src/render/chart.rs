//! Charts of the client report as inline SVG: they print sharp, need no script and make no
//! request. One kind is enough for a report read on paper: horizontal bars, one or two
//! series on one scale, each bar labelled with its value.

use maud::{html, Markup};

/// One series: its name (in the legend) and colour.
pub struct Series<'a> {
    /// Shown in the legend (when there are two series).
    pub name: &'a str,
    /// Fill colour.
    pub color: &'a str,
}

/// One row: its label, and per series the value (for the bar's length) and its text.
pub struct Row {
    /// The category.
    pub label: String,
    /// One value per series.
    pub values: Vec<f64>,
    /// One text per series, written after the bar.
    pub texts: Vec<String>,
}

/// Width of the drawing in CSS pixels (it scales down to the column).
const WIDTH: f64 = 680.0;
/// Room for the labels on the left.
const LABEL: f64 = 170.0;
/// Room for the value texts on the right.
const TEXT: f64 = 110.0;
/// Height of one bar.
const BAR: f64 = 14.0;
/// Gap between rows.
const GAP: f64 = 8.0;
/// Height of the legend line.
const LEGEND: f64 = 22.0;

/// Horizontal bars. `title` is the chart's text alternative (and its tooltip).
pub fn hbars(title: &str, series: &[Series<'_>], rows: &[Row]) -> Markup {
    let max = rows
        .iter()
        .flat_map(|r| r.values.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let span = WIDTH - LABEL - TEXT;
    let len = |v: f64| {
        if max > 0.0 && v.is_finite() && v > 0.0 {
            (v / max * span).max(1.0)
        } else {
            0.0
        }
    };
    let top = if series.len() > 1 { LEGEND } else { 0.0 };
    let row_h = BAR * series.len() as f64 + GAP;
    let height = top + row_h * rows.len() as f64 + 4.0;
    html! {
        svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" aria-label=(title)
            viewBox={ "0 0 " (WIDTH) " " (height) } width=(WIDTH) height=(height)
            font-size="12" {
            title { (title) }
            @if series.len() > 1 {
                @for (k, s) in series.iter().enumerate() {
                    @let x = LABEL + k as f64 * 150.0;
                    rect x=(x) y="4" width="12" height="12" fill=(s.color) {}
                    text x=(x + 16.0) y="14" { (s.name) }
                }
            }
            @for (i, r) in rows.iter().enumerate() {
                @let y0 = top + i as f64 * row_h;
                text x=(LABEL - 8.0) y=(y0 + row_h / 2.0) text-anchor="end"
                    dominant-baseline="middle" { (r.label) }
                @for (k, s) in series.iter().enumerate() {
                    @let y = y0 + k as f64 * BAR;
                    @let w = len(r.values.get(k).copied().unwrap_or(0.0));
                    rect x=(LABEL) y=(y + 1.0) width=(format!("{w:.1}")) height=(BAR - 2.0)
                        fill=(s.color) {}
                    text x=(format!("{:.1}", LABEL + w + 4.0)) y=(y + BAR / 2.0)
                        dominant-baseline="middle" fill="#333" {
                        (r.texts.get(k).map(String::as_str).unwrap_or(""))
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widths(svg: &str) -> Vec<f64> {
        svg.split("<rect ")
            .skip(1)
            .filter_map(|r| {
                let w = r.split("width=\"").nth(1)?;
                w.split('"').next()?.parse().ok()
            })
            .collect()
    }

    #[test]
    fn bars_are_proportional_to_their_values_on_one_scale() {
        let rows = vec![
            Row {
                label: "a".into(),
                values: vec![10.0],
                texts: vec!["10".into()],
            },
            Row {
                label: "<b>".into(),
                values: vec![5.0],
                texts: vec!["5".into()],
            },
            Row {
                label: "c".into(),
                values: vec![0.0],
                texts: vec!["0".into()],
            },
        ];
        let svg = hbars(
            "t",
            &[Series {
                name: "n",
                color: "#000",
            }],
            &rows,
        )
        .into_string();
        let w = widths(&svg);
        assert_eq!(w.len(), 3);
        assert!((w[0] - (WIDTH - LABEL - TEXT)).abs() < 0.1);
        assert!((w[1] - w[0] / 2.0).abs() < 0.1);
        assert_eq!(w[2], 0.0);
        // Labels are text, escaped.
        assert!(svg.contains("&lt;b&gt;"));
        assert!(svg.contains("role=\"img\""));
    }
}
