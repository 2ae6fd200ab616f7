//! A member's forecast values: what the forecast models give each buyer.

/// One member's forecast values (BG/NBD, Gamma-Gamma, CLV).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ForecastValues {
    /// P(alive).
    pub p_alive: f64,
    /// Expected purchases in the next 30 days.
    pub expected_purchases_30d: f64,
    /// Expected purchases in the next 90 days.
    pub expected_purchases_90d: f64,
    /// Expected purchases in the next 365 days.
    pub expected_purchases_365d: f64,
    /// Expected spend per purchase.
    pub expected_spend: f64,
    /// CLV over the horizon.
    pub clv: f64,
    /// 1 − P(alive).
    pub churn_risk: f64,
}

impl ForecastValues {
    /// The values in field order.
    pub fn to_array(self) -> [f64; 7] {
        [
            self.p_alive,
            self.expected_purchases_30d,
            self.expected_purchases_90d,
            self.expected_purchases_365d,
            self.expected_spend,
            self.clv,
            self.churn_risk,
        ]
    }
}
