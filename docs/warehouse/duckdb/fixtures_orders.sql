-- The clean order table of the shared fixtures (members.csv, online_orders_gbk.csv as UTF-8,
-- pos_sales.csv), as a warehouse's staging would make it, for the test that checks the
-- member summary against the raw exports (www/tests/warehouse.test.mjs). DuckDB dialect.
-- {members}, {online} and {pos} are replaced by the files' paths.
--
-- What a warehouse's staging does before member_summary.sql: exact duplicate lines dropped,
-- unreadable dates and amounts rejected (TRY_CAST gives NULL, member_summary.sql skips the
-- row), `1,234.50` amounts read, phones normalised to 11 digits (+86/0086 dropped), and
-- identities linked through the member master: an online buyer's phone becomes the card
-- number the member master gives it; a card or phone it does not know stays the key.
CREATE OR REPLACE MACRO norm_phone(p) AS (
    CASE
        WHEN length(regexp_replace(coalesce(p, ''), '[^0-9]', '', 'g')) = 13
            AND regexp_replace(p, '[^0-9]', '', 'g') LIKE '86%'
            THEN substr(regexp_replace(p, '[^0-9]', '', 'g'), 3)
        WHEN length(regexp_replace(coalesce(p, ''), '[^0-9]', '', 'g')) = 15
            AND regexp_replace(p, '[^0-9]', '', 'g') LIKE '0086%'
            THEN substr(regexp_replace(p, '[^0-9]', '', 'g'), 5)
        ELSE NULLIF(regexp_replace(coalesce(p, ''), '[^0-9]', '', 'g'), '')
    END
);
CREATE OR REPLACE TABLE member_dim AS
SELECT NULLIF(trim("会员卡号"), '') AS card, norm_phone("手机号") AS phone
FROM read_csv('{members}', all_varchar = true, header = true);
CREATE OR REPLACE TABLE orders AS
WITH online AS (
    SELECT DISTINCT * FROM read_csv('{online}', all_varchar = true, header = true)
),
pos AS (
    SELECT DISTINCT * FROM read_csv('{pos}', all_varchar = true, header = true)
),
by_phone AS (
    SELECT phone, min(card) AS card FROM member_dim WHERE phone IS NOT NULL AND card IS NOT NULL GROUP BY phone
)
SELECT
    coalesce(d.card, norm_phone(o."买家手机号")) AS member_key,
    o."订单号" AS order_id,
    TRY_CAST(o."下单时间" AS TIMESTAMP) AS order_time,
    TRY_CAST(replace(o."订单实付金额", ',', '') AS DECIMAL(18, 2)) AS amount,
    TRY_CAST(replace(o."退款金额", ',', '') AS DECIMAL(18, 2)) AS refund,
    o."订单状态" AS status
FROM online AS o
LEFT JOIN by_phone AS d ON d.phone = norm_phone(o."买家手机号")
UNION ALL
SELECT
    NULLIF(trim(p."会员卡号"), '') AS member_key,
    p."小票号" AS order_id,
    CAST(try_strptime(p."销售日期", '%Y%m%d') AS TIMESTAMP) AS order_time,
    TRY_CAST(replace(p."销售金额", ',', '') AS DECIMAL(18, 2)) AS amount,
    NULL AS refund,
    NULL AS status
FROM pos AS p;
