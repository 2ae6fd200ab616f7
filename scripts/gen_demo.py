#!/usr/bin/env python3
"""Generate the demo exports bundled with the MemberLens page (www/demo/).

Three small, realistic files from one synthetic population of a snack/grocery
brand, deterministic (fixed seed), standard library only:

  members.csv        member master (UTF-8): card, phone (some written 138-1234-5678),
                     name, gender, birthday, tier, registration time/channel, store, points
  online_orders.csv  online-mall order export (GBK, Youzan style): one row per item line
                     with the order-level amount repeated, statuses, refunds, guest orders
  pos_sales.csv      offline POS export (UTF-8 with BOM): yyyymmdd dates, 1,234.50 amounts,
                     negative return rows

Usage: python3 scripts/gen_demo.py [OUT_DIR]   (default: www/demo next to this script)
"""

import csv
import io
import math
import random
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

SEED = 20240630
AS_OF = date(2024, 6, 30)
START = date(2021, 1, 1)
N_MEMBERS = 400

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国红玉梅海燕晶雪琳婷浩宇欣怡子涵雨轩博文佳琪梓萱晨阳思远"
STORES = ["上海静安店", "上海徐汇店", "杭州西溪店", "杭州湖滨店", "南京新街口店", "苏州观前店"]
REG_CHANNELS = ["门店扫码", "小程序", "天猫", "企业微信", "导购邀请"]
TIERS = [("普通会员", 0.55), ("银卡会员", 0.25), ("金卡会员", 0.14), ("钻石会员", 0.06)]
ONLINE_CHANNELS = ["小程序商城", "天猫旗舰店", "抖音小店"]
PRODUCTS = [
    ("坚果礼盒", "礼盒", 128.0), ("冻干酸奶块", "零食", 39.9), ("牛排套餐", "肉类", 168.0),
    ("全麦吐司", "烘焙", 19.8), ("益生菌饮", "饮品", 29.9), ("挂耳咖啡", "饮品", 59.0),
    ("有机燕麦", "早餐", 45.0), ("每日坚果", "零食", 89.0), ("低脂鸡胸", "肉类", 69.0),
]


def pick_tier(rng):
    x = rng.random()
    for name, p in TIERS:
        if x < p:
            return name
        x -= p
    return TIERS[0][0]


def phone(rng):
    return rng.choice(["13", "15", "17", "18", "19"]) + "".join(str(rng.randrange(10)) for _ in range(9))


def fmt_phone(rng, p):
    r = rng.random()
    if r < 0.08:
        return f"{p[:3]}-{p[3:7]}-{p[7:]}"
    if r < 0.12:
        return f"+86 {p}"
    return p


def rand_time(rng, d):
    return datetime(d.year, d.month, d.day, rng.randrange(8, 23), rng.randrange(60), rng.randrange(60))


def purchase_dates(rng, first, lam, p_drop):
    """BG/NBD-like: exponential gaps while alive; after each purchase drop out with p_drop."""
    out = [first]
    d = first
    while True:
        if rng.random() < p_drop:
            break
        d = d + timedelta(days=max(1, int(rng.expovariate(lam))))
        if d > AS_OF:
            break
        out.append(d)
    return out


def amount(rng, scale):
    return round(max(9.9, rng.gammavariate(2.2, scale / 2.2)), 2)


def main():
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "www" / "demo"
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    span = (AS_OF - START).days

    members = []
    for i in range(N_MEMBERS):
        reg = START - timedelta(days=200) + timedelta(days=int(rng.random() ** 0.8 * (span + 200)))
        members.append({
            "card": f"VIP{20000000 + i * 7 + rng.randrange(7)}",
            "phone": phone(rng),
            "name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2]))),
            "gender": rng.choice(["男", "女", "女"]),
            "birthday": date(rng.randrange(1965, 2004), rng.randrange(1, 13), rng.randrange(1, 29)),
            "tier": pick_tier(rng),
            "reg": reg,
            "reg_channel": rng.choice(REG_CHANNELS),
            "store": rng.choice(STORES),
            "points": rng.randrange(0, 5000),
            "lam": rng.gammavariate(1.5, 1 / 60.0) + 1 / 400.0,
            "p_drop": rng.betavariate(1.2, 4.0),
            "scale": rng.gammavariate(6.0, 30.0),
            "online": rng.random() < 0.65,
            "offline": rng.random() < 0.55,
        })

    # members.csv: UTF-8, no BOM
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["会员卡号", "手机号", "姓名", "性别", "生日", "会员等级", "注册时间", "注册渠道", "所属门店", "积分"])
    for m in members:
        w.writerow([m["card"], fmt_phone(rng, m["phone"]), m["name"], m["gender"], m["birthday"].isoformat(),
                    m["tier"], rand_time(rng, m["reg"]).strftime("%Y-%m-%d %H:%M:%S"), m["reg_channel"],
                    m["store"], m["points"]])
    (out_dir / "members.csv").write_bytes(buf.getvalue().encode("utf-8"))

    # online_orders.csv: GBK, item lines repeat the order amount
    online = []
    seq = 0
    for m in members:
        if not m["online"]:
            continue
        first = max(m["reg"], START) + timedelta(days=rng.randrange(0, 120))
        if first > AS_OF:
            continue
        for d in purchase_dates(rng, first, m["lam"], m["p_drop"]):
            online.append((d, m))
    for _ in range(40):  # guest orders (no phone)
        online.append((START + timedelta(days=rng.randrange(span)), None))
    online.sort(key=lambda x: (x[0], x[1]["card"] if x[1] else ""))
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["订单号", "订单状态", "下单时间", "买家昵称", "买家手机号", "商品名称", "商品类目", "商品数量",
                "订单实付金额", "退款金额", "销售渠道"])
    for d, m in online:
        seq += 1
        oid = f"E{d.strftime('%Y%m%d')}{seq:06d}"
        r = rng.random()
        status = "交易成功" if r < 0.86 else "部分退款" if r < 0.91 else "已退款" if r < 0.95 else "交易关闭" if r < 0.98 else "待付款"
        total = amount(rng, m["scale"] if m else 120.0)
        refund = 0.0
        if status == "部分退款":
            refund = round(total * rng.uniform(0.1, 0.5), 2)
        elif status == "已退款":
            refund = total
        ts = rand_time(rng, d).strftime("%Y-%m-%d %H:%M:%S")
        nick = m["name"] if m else "游客" + str(rng.randrange(1000, 9999))
        ph = m["phone"] if m else ""
        chan = rng.choice(ONLINE_CHANNELS)
        for prod, cat, _price in rng.sample(PRODUCTS, rng.choice([1, 1, 1, 1, 2, 3])):
            w.writerow([oid, status, ts, nick, ph, prod, cat, rng.randrange(1, 4), f"{total:.2f}", f"{refund:.2f}", chan])
    (out_dir / "online_orders.csv").write_bytes(buf.getvalue().encode("gbk"))

    # pos_sales.csv: UTF-8 with BOM, yyyymmdd, thousands separators, returns
    pos = []
    for m in members:
        if not m["offline"]:
            continue
        first = max(m["reg"], START) + timedelta(days=rng.randrange(0, 90))
        if first > AS_OF:
            continue
        for d in purchase_dates(rng, first, m["lam"] * 0.8, m["p_drop"]):
            pos.append((d, m, amount(rng, m["scale"] * 1.1)))
    returns = [(d + timedelta(days=rng.randrange(1, 15)), m, -round(a * rng.uniform(0.2, 1.0), 2))
               for d, m, a in rng.sample(pos, k=min(len(pos), 25))]
    pos += [r for r in returns if r[0] <= AS_OF]
    pos.sort(key=lambda x: (x[0], x[1]["card"]))
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["小票号", "会员卡号", "门店名称", "销售日期", "销售金额"])
    for k, (d, m, a) in enumerate(pos, 1):
        store = m["store"] if rng.random() < 0.8 else rng.choice(STORES)
        w.writerow([f"R{d.strftime('%y%m%d')}{k:05d}", m["card"], store, d.strftime("%Y%m%d"), f"{a:,.2f}"])
    (out_dir / "pos_sales.csv").write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))

    for f in ("members.csv", "online_orders.csv", "pos_sales.csv"):
        p = out_dir / f
        print(f"{p}: {p.stat().st_size} bytes")


if __name__ == "__main__":
    main()
