//! examples/bench_forecast.rs's timed steps as Wasm calls, each timed by its caller
//! (scripts/forecast-bench/worker.js with ?kernel): the single-model path is `fit_bgnbd` +
//! `score_bgnbd`, the comparison `compare` + `score_chosen`, as bench_forecast adds them up.

use memberlens::analysis::forecast::{
    bgnbd, clv, gamma_gamma, limits, CustomerSummary, PurchaseModel, TimeUnit,
};
use wasm_bindgen::prelude::*;

fn err(e: impl std::fmt::Display) -> JsError {
    JsError::new(&e.to_string())
}

/// Customer summaries with their grouping and Gamma-Gamma fit (not timed), and the fits made.
#[wasm_bindgen]
pub struct Kernel {
    summaries: Vec<CustomerSummary>,
    data: bgnbd::BgNbdData,
    spend: gamma_gamma::GammaGammaFit,
    bgnbd: Option<PurchaseModel>,
    chosen: Option<PurchaseModel>,
}

#[wasm_bindgen]
impl Kernel {
    /// From bench_forecast's summary.csv (`frequency,recency,T,monetary_value`, days).
    #[wasm_bindgen(constructor)]
    pub fn new(csv: &[u8]) -> Result<Kernel, JsError> {
        let text = std::str::from_utf8(csv).map_err(err)?;
        let mut summaries = Vec::new();
        for line in text.lines().skip(1).filter(|l| !l.is_empty()) {
            let v: Vec<f64> = line
                .split(',')
                .map(|x| x.parse::<f64>().map_err(err))
                .collect::<Result<_, _>>()?;
            if v.len() != 4 {
                return Err(JsError::new(&format!("bad summary line {line}")));
            }
            summaries.push(CustomerSummary {
                frequency: v[0],
                recency: v[1],
                t: v[2],
                monetary_value: v[3],
            });
        }
        let data = bgnbd::BgNbdData::new(&summaries).map_err(err)?;
        let spend = gamma_gamma::fit(&summaries).map_err(err)?;
        Ok(Kernel {
            summaries,
            data,
            spend,
            bgnbd: None,
            chosen: None,
        })
    }

    /// Customers read.
    pub fn customers(&self) -> usize {
        self.summaries.len()
    }

    /// BG/NBD alone (bench_forecast's `bgnbd fit`): its parameters.
    #[wasm_bindgen(js_name = fitBgnbd)]
    pub fn fit_bgnbd(&mut self) -> Result<String, JsError> {
        let f = bgnbd::fit_data(&self.data).map_err(err)?;
        self.bgnbd = Some(PurchaseModel::BgNbd(f));
        Ok(format!(
            "r={:.4} alpha={:.3} a={:.4} b={:.4}",
            f.r, f.alpha, f.a, f.b
        ))
    }

    /// Scoring under BG/NBD with the Gamma-Gamma spend (bench_forecast's `score`): a checksum.
    #[wasm_bindgen(js_name = scoreBgnbd)]
    pub fn score_bgnbd(&self) -> Result<f64, JsError> {
        let model = self.bgnbd.ok_or_else(|| err("fitBgnbd first"))?;
        let histories = clv::score_histories(&model, &self.summaries, 12, 0.01, TimeUnit::Day);
        let mut check = 0.0;
        for (s, h) in self.summaries.iter().zip(&histories) {
            let spend = self
                .spend
                .conditional_expected_average_profit(s.frequency, s.monetary_value);
            let e = h.expected_purchases;
            check += h.p_alive + e[0] + e[1] + e[2] + spend + spend * h.discounted_purchases;
        }
        Ok(check)
    }

    /// The six models with their covariances, the data's choice (bench_forecast's `compare`):
    /// the chosen model's key.
    pub fn compare(&mut self) -> Result<String, JsError> {
        let choice = limits::choose_data(&self.data, limits::ModelSelection::Auto).map_err(err)?;
        let model = choice.chosen_fit().model;
        self.chosen = Some(model);
        Ok(model.key().to_string())
    }

    /// Scoring under the chosen model (bench_forecast's comparison score): members scored.
    #[wasm_bindgen(js_name = scoreChosen)]
    pub fn score_chosen(&self) -> Result<usize, JsError> {
        let model = self.chosen.ok_or_else(|| err("compare first"))?;
        Ok(clv::score_histories(&model, &self.summaries, 12, 0.01, TimeUnit::Day).len())
    }
}
