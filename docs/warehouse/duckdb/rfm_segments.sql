-- RFM scores, the eight segments and the dormancy tiers of every buyer, from the member
-- summary, DuckDB dialect (domain.md §4 and §5; the reference is src/analysis/rfm.rs and
-- dormancy.rs). See docs/warehouse.md.
--
-- Input: `member_summary` as docs/warehouse/duckdb/member_summary.sql makes it (member_id, total_spend,
-- total_orders, last_purchase; as_of is the latest last_purchase unless `params` is replaced).
-- R = as_of − last purchase (days), F = purchases, M = net spend floored at 0; all history.
-- Breakpoints: the 20/40/60/80th percentiles of the buyers' values, linear interpolation
-- written out as numpy computes it (pos = (n−1)·p/100; below half-way a + (b−a)·frac, from
-- half-way b − (b−a)·(1−frac)), so equal inputs give bit-equal breakpoints.
-- F, M score = 1 + #{breakpoints below the value}; R score = 5 − #{breakpoints below it}.
-- A dimension is high when its score is strictly above the buyers' mean score.
-- Dormancy tiers: active ≤ 90 days, silent ≤ 180, near_sleep ≤ 365, dormant ≤ 730, lost.
WITH
params AS (
    SELECT max(last_purchase) AS as_of FROM member_summary  -- or: SELECT DATE '2024-06-30' AS as_of
),
buyers AS (
    SELECT
        s.member_id,
        CAST(date_diff('day', s.last_purchase, params.as_of) AS DOUBLE) AS r,
        CAST(s.total_orders AS DOUBLE) AS f,
        CAST(greatest(s.total_spend, 0) AS DOUBLE) AS m
    FROM member_summary AS s, params
    WHERE s.total_orders > 0 AND s.last_purchase <= params.as_of
),
sorted AS (
    SELECT count(*) AS n, list_sort(list(r)) AS rs, list_sort(list(f)) AS fs, list_sort(list(m)) AS ms
    FROM buyers
),
positions AS (
    SELECT p, n, rs, fs, ms,
        CAST(n - 1 AS DOUBLE) * p / 100.0 AS pos,
        CAST(floor(CAST(n - 1 AS DOUBLE) * p / 100.0) AS BIGINT) AS lo
    FROM sorted, (VALUES (20.0::DOUBLE), (40.0::DOUBLE), (60.0::DOUBLE), (80.0::DOUBLE)) AS q(p)
),
interpolated AS (
    SELECT p,
        pos - lo AS frac,
        rs[lo + 1] AS r_a, rs[least(lo + 1, n - 1) + 1] AS r_b,
        fs[lo + 1] AS f_a, fs[least(lo + 1, n - 1) + 1] AS f_b,
        ms[lo + 1] AS m_a, ms[least(lo + 1, n - 1) + 1] AS m_b
    FROM positions
),
breakpoints AS (
    SELECT
        list(CASE WHEN frac >= 0.5 THEN r_b - (r_b - r_a) * (1 - frac) ELSE r_a + (r_b - r_a) * frac END ORDER BY p) AS br,
        list(CASE WHEN frac >= 0.5 THEN f_b - (f_b - f_a) * (1 - frac) ELSE f_a + (f_b - f_a) * frac END ORDER BY p) AS bf,
        list(CASE WHEN frac >= 0.5 THEN m_b - (m_b - m_a) * (1 - frac) ELSE m_a + (m_b - m_a) * frac END ORDER BY p) AS bm
    FROM interpolated
),
scored AS (
    SELECT b.*,
        5 - ((r > br[1])::INT + (r > br[2])::INT + (r > br[3])::INT + (r > br[4])::INT) AS r_score,
        1 + (f > bf[1])::INT + (f > bf[2])::INT + (f > bf[3])::INT + (f > bf[4])::INT AS f_score,
        1 + (m > bm[1])::INT + (m > bm[2])::INT + (m > bm[3])::INT + (m > bm[4])::INT AS m_score
    FROM buyers AS b, breakpoints
),
means AS (
    SELECT avg(r_score) AS mr, avg(f_score) AS mf, avg(m_score) AS mm FROM scored
)
SELECT
    member_id,
    r AS recency_days, f AS frequency, m AS monetary,
    r_score, f_score, m_score,
    CASE
        WHEN r_score > mr AND f_score > mf AND m_score > mm THEN 'important_value'
        WHEN r_score > mr AND f_score <= mf AND m_score > mm THEN 'important_develop'
        WHEN r_score <= mr AND f_score > mf AND m_score > mm THEN 'important_keep'
        WHEN r_score <= mr AND f_score <= mf AND m_score > mm THEN 'important_retain'
        WHEN r_score > mr AND f_score > mf THEN 'general_value'
        WHEN r_score > mr THEN 'general_develop'
        WHEN f_score > mf THEN 'general_keep'
        ELSE 'general_retain'
    END AS segment,
    CASE
        WHEN r <= 90 THEN 'active'
        WHEN r <= 180 THEN 'silent'
        WHEN r <= 365 THEN 'near_sleep'
        WHEN r <= 730 THEN 'dormant'
        ELSE 'lost'
    END AS dormancy
FROM scored, means
