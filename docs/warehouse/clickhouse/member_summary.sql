-- Member summary (会员汇总) from an order table, ClickHouse dialect. See docs/warehouse.md.
--
-- Input: a table or view `orders`, one row per order or per item line of an order:
--   member_key  String         the linked member (会员ID after 全渠道打通); NULL or '' = guest order (Nullable(String))
--   order_id    String         never NULL; item lines of one order share it
--   order_time  DateTime/Date  local time in the data's own zone (its calendar date is the day)
--   amount      Decimal(18,2)  order-level paid amount (实付金额), repeated on each item line;
--                              negative = a return row (退货)
--   refund      Decimal(18,2)  refunded amount (退款金额), NULL = 0
--   status      String         order status (订单状态), NULL = paid
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
-- ClickHouse lets an alias shadow a column in WHERE: every derived column has its own name.
lines AS (
    SELECT
        nullIf(trimBoth(toString(member_key)), '') AS line_member,
        toString(order_id) AS line_order,
        toDate(order_time) AS line_day,
        toDecimal64(amount, 2) AS line_amount,
        toDecimal64(coalesce(refund, 0), 2) AS line_refund,
        lower(trimBoth(coalesce(toString(status), ''))) IN (
            '交易关闭', '已关闭', '订单关闭', '关闭', '待付款', '未付款', '等待买家付款', '待支付',
            '已取消', '取消', '交易取消', '订单取消', '已退款', '退款成功', '全额退款', '已作废',
            '作废', 'closed', 'cancelled', 'canceled', 'voided', 'void', 'refunded', 'pending',
            'unpaid', 'expired', 'failed'
        ) AS line_closed
    FROM orders
    WHERE order_time IS NOT NULL AND amount IS NOT NULL
),
order_level AS (
    SELECT
        line_order,
        max(line_member) AS order_member,
        min(line_day) AS order_day,
        max(line_amount) AS order_amount,
        max(line_refund) AS order_refund,
        max(line_closed) AS order_closed
    FROM lines
    WHERE line_amount >= 0
    GROUP BY line_order
),
all_purchases AS (
    SELECT order_member AS buyer, order_day AS purchase_day, order_amount - order_refund AS net
    FROM order_level
    WHERE order_member IS NOT NULL AND NOT order_closed AND order_amount - order_refund > 0
),
params AS (
    SELECT max(purchase_day) AS as_of FROM all_purchases  -- or: SELECT toDate('2024-06-30') AS as_of
),
daily AS (
    -- per member and purchase day: the day's purchases and net spend
    SELECT buyer, purchase_day, count() AS day_orders, sum(net) AS day_net
    FROM all_purchases CROSS JOIN params
    WHERE purchase_day <= as_of
    GROUP BY buyer, purchase_day
),
returns AS (
    SELECT line_member AS returner, sum(line_amount) AS returned
    FROM lines CROSS JOIN params
    WHERE line_amount < 0 AND line_member IS NOT NULL AND line_day <= as_of
    GROUP BY line_member
),
per_member AS (
    SELECT
        buyer,
        sum(day_net) AS purchase_spend,
        toInt64(sum(day_orders)) AS orders_count,
        min(purchase_day) AS first_day,
        max(purchase_day) AS last_day,
        toInt64(count()) AS days_count,
        sum(day_net) - argMin(day_net, purchase_day) AS repeat_net
    FROM daily
    GROUP BY buyer
)
SELECT
    m.buyer AS member_id,
    toDecimal64(m.purchase_spend + coalesce(r.returned, toDecimal64(0, 2)), 2) AS total_spend,
    m.orders_count AS total_orders,
    m.first_day AS first_purchase,
    m.last_day AS last_purchase,
    m.days_count AS purchase_days,
    toDecimal64(m.repeat_net, 2) AS repeat_spend,
    params.as_of AS as_of
FROM per_member AS m
CROSS JOIN params
LEFT JOIN returns AS r ON r.returner = m.buyer
SETTINGS join_use_nulls = 1
