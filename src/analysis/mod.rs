//! Analyses over linked members: inventory, RFM, dormancy, lifecycle, repurchase, forecasts.

pub mod forecast;
