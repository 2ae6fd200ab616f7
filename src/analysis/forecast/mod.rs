//! Purchase and value forecasts (BG/NBD, Gamma-Gamma, CLV). Being written.
