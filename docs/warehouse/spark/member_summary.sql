-- Member summary (会员汇总) from an order table, Spark SQL (3.0 or later) dialect. See docs/warehouse.md.
--
-- Input: a table or view `orders`, one row per order or per item line of an order:
--   member_key  STRING         the linked member (会员ID after 全渠道打通); NULL or '' = guest order
--   order_id    STRING         never NULL; item lines of one order share it
--   order_time  TIMESTAMP/DATE local time in the data's own zone (its calendar date is the day)
--   amount      DECIMAL(18,2)  order-level paid amount (实付金额), repeated on each item line;
--                              negative = a return row (退货)
--   refund      DECIMAL(18,2)  refunded amount (退款金额), NULL = 0
--   status      STRING         order status (订单状态), NULL = paid
--
-- Applied here (domain.md §2 "Turning rows into orders"):
--   3. rows sharing an order id are one order; its amount and refund are taken once (the max);
--   4. net = amount − refund; closed / unpaid / cancelled / voided / fully refunded statuses
--      and net ≤ 0 make an order a non-purchase;
--   5. negative-amount rows are returns: they lower the member's total spend, not the counts;
--   6. guest orders (no member key) are left out;
--   7. purchases and returns dated after the as-of date are left out; the default as-of is
--      the latest purchase day (replace the `params` CTE to fix it).
-- Assumed done upstream (a clean order table):
--   1. exact duplicate lines removed (a keyed fact table has none; a duplicated item line
--      changes nothing here, a duplicated return row would count twice);
--   2. unreadable dates and amounts rejected, currencies converted, member keys normalised
--      (phones to 11 digits, e-mails lower-cased) and linked across channels;
--   item lines of one order agree on member, time and status (the first is taken otherwise:
--   here the largest key, the earliest day, and "closed" if any line says so).
-- When only item-level amounts exist (商品实付金额), sum them per order instead of max().
--
-- Output, one row per member with at least one purchase:
--   member_id, total_spend (累计消费金额: purchases' net + returns), total_orders
--   (累计消费次数), first_purchase (首次消费时间), last_purchase (最近消费时间), purchase_days
--   (消费天数: distinct purchase days), repeat_spend (复购消费金额: net spend on purchase
--   days after the first), as_of (分析基准日, the same on every row).
WITH
lines AS (
    SELECT
        NULLIF(trim(CAST(member_key AS STRING)), '') AS member_key,
        CAST(order_id AS STRING) AS order_id,
        CAST(order_time AS DATE) AS day,
        CAST(amount AS DECIMAL(18, 2)) AS amount,
        CAST(coalesce(refund, 0) AS DECIMAL(18, 2)) AS refund,
        lower(trim(coalesce(CAST(status AS STRING), ''))) IN (
            '交易关闭', '已关闭', '订单关闭', '关闭', '待付款', '未付款', '等待买家付款', '待支付',
            '已取消', '取消', '交易取消', '订单取消', '已退款', '退款成功', '全额退款', '已作废',
            '作废', 'closed', 'cancelled', 'canceled', 'voided', 'void', 'refunded', 'pending',
            'unpaid', 'expired', 'failed'
        ) AS closed
    FROM orders
    WHERE order_time IS NOT NULL AND amount IS NOT NULL
),
order_level AS (
    SELECT
        order_id,
        max(member_key) AS member_key,
        min(day) AS day,
        max(amount) AS amount,
        max(refund) AS refund,
        bool_or(closed) AS closed
    FROM lines
    WHERE amount >= 0
    GROUP BY order_id
),
all_purchases AS (
    SELECT member_key, day, amount - refund AS net
    FROM order_level
    WHERE member_key IS NOT NULL AND NOT closed AND amount - refund > 0
),
params AS (
    SELECT max(day) AS as_of FROM all_purchases  -- or: SELECT DATE '2024-06-30' AS as_of
),
daily AS (
    -- per member and purchase day: the day's purchases and net spend
    SELECT p.member_key, p.day, count(*) AS orders, sum(p.net) AS net
    FROM all_purchases AS p CROSS JOIN params
    WHERE p.day <= params.as_of
    GROUP BY p.member_key, p.day
),
returns AS (
    SELECT l.member_key, sum(l.amount) AS returned
    FROM lines AS l CROSS JOIN params
    WHERE l.amount < 0 AND l.member_key IS NOT NULL AND l.day <= params.as_of
    GROUP BY l.member_key
),
per_member AS (
    SELECT
        member_key,
        sum(net) AS purchase_spend,
        CAST(sum(orders) AS BIGINT) AS total_orders,
        min(day) AS first_purchase,
        max(day) AS last_purchase,
        count(*) AS purchase_days,
        sum(net) - min_by(net, day) AS repeat_spend
    FROM daily
    GROUP BY member_key
)
SELECT
    m.member_key AS member_id,
    CAST(m.purchase_spend + coalesce(r.returned, 0) AS DECIMAL(18, 2)) AS total_spend,
    m.total_orders,
    m.first_purchase,
    m.last_purchase,
    m.purchase_days,
    CAST(m.repeat_spend AS DECIMAL(18, 2)) AS repeat_spend,
    params.as_of
FROM per_member AS m
CROSS JOIN params
LEFT JOIN returns AS r ON r.member_key = m.member_key
