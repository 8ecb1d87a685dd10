"""The demo warehouse: two years (2020–2021) of a live-stream platform's brand business.

Deterministic for a seed, vectorised with numpy, and shaped like the source report
(../shared/DOMAIN.md): brand onboarding ×4.5 in Q2 2021 and +50% over the year, brand sales
×8 in Q2 2021, campaign ROI that keeps growing from T+0 to T+30 as paid buyers come back,
trust rates improving through 2021, and brands moving (or stalling) through the five STEPS.

    python -m data_access demo [--orders N] [--seed S] [--url URL]

`generate()` returns the seven tables as DataFrames; demo.build writes them to a warehouse.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..warehouse import schema

# --- the calendar -----------------------------------------------------------------------

FIRST_DAY = np.datetime64("2020-01-01", "D")
LAST_DAY = np.datetime64("2021-12-31", "D")  # the data end: nothing happens after it
N_DAYS = int((LAST_DAY - FIRST_DAY).astype(np.int64)) + 1
LAST = N_DAYS - 1  # day index of LAST_DAY; days are counted from FIRST_DAY
NEVER = 1_000_000  # a day index that never comes (a step not started, an assignment not ended)
SECONDS_PER_DAY = 86_400

DAYS = np.arange(N_DAYS)
MONTH = (FIRST_DAY + DAYS).astype("datetime64[M]").astype(np.int64) - FIRST_DAY.astype("datetime64[M]").astype(np.int64)
QUARTER = MONTH // 3  # 0 = 2020 Q1 … 7 = 2021 Q4
WEEKDAY = (DAYS + 2) % 7  # 2020-01-01 was a Wednesday; Monday = 0


def _day(iso: str) -> int:
    return int((np.datetime64(iso, "D") - FIRST_DAY).astype(np.int64))


def _dates(days: np.ndarray) -> np.ndarray:
    """Day indexes as python dates (None where NEVER): a DATE on every backend."""
    days = np.asarray(days)
    out = (FIRST_DAY + np.minimum(days, LAST + 1).astype("timedelta64[D]")).astype(object)
    out[days >= NEVER] = None
    return out


# --- the anchors from the source report ---------------------------------------------------

ONBOARDING_2020 = (1.0, 1.1, 1.2, 1.3)  # brands per quarter, spread through 2020
ONBOARDING_2021_SHAPE = (1.0, 4.5, 4.0, 3.6)  # Q2 2021 = 4.5 × Q1 (a Spring Festival dip, then the push)
ONBOARDING_YEAR_GROWTH = 1.5  # brands onboarded in 2021 = 1.5 × 2020
ORDER_QUARTER_WEIGHTS = (1.0, 1.6, 2.3, 3.4, 3.0, 24.0, 28.0, 36.0)  # Q2 2021 sales = 8 × Q1 2021
MIN_SPEND = 1000.0  # CNY: the smallest campaign budget
ROI_T30 = 3.2  # campaign GMV over T…T+30 per CNY spent; T+0 comes out near 1.2
MEDIAN_ORDER_CNY = 80.0

# --- industry belts: real clusters, their places and specialities ---------------------------

BELTS = (  # belt_id, name_zh, name_en, province, city, main_category, relative size
    ("linyi-apparel", "临沂服装", "Linyi apparel", "Shandong", "Linyi", "apparel", 5.0),
    ("yiwu-small-goods", "义乌小商品", "Yiwu small goods", "Zhejiang", "Yiwu", "home", 5.0),
    ("humen-womenswear", "虎门女装", "Humen womenswear", "Guangdong", "Dongguan", "apparel", 4.0),
    ("zhili-childrenswear", "织里童装", "Zhili childrenswear", "Zhejiang", "Huzhou", "mother_baby", 4.0),
    ("shengze-silk", "盛泽丝绸", "Shengze silk", "Jiangsu", "Suzhou", "apparel", 2.0),
    ("haining-leather", "海宁皮革", "Haining leather", "Zhejiang", "Haining", "apparel", 2.0),
    ("datang-socks", "大唐袜业", "Datang socks", "Zhejiang", "Zhuji", "apparel", 2.0),
    ("puyuan-knitwear", "濮院毛衫", "Puyuan knitwear", "Zhejiang", "Tongxiang", "apparel", 3.0),
    ("putian-shoes", "莆田鞋业", "Putian shoes", "Fujian", "Putian", "apparel", 3.0),
    ("jinjiang-sportswear", "晋江运动鞋服", "Jinjiang sportswear", "Fujian", "Jinjiang", "apparel", 3.0),
    ("shantou-toys", "汕头澄海玩具", "Shantou Chenghai toys", "Guangdong", "Shantou", "mother_baby", 3.0),
    ("chaozhou-ceramics", "潮州陶瓷", "Chaozhou ceramics", "Guangdong", "Chaozhou", "home", 2.0),
    ("dehua-ceramics", "德化陶瓷", "Dehua ceramics", "Fujian", "Quanzhou", "home", 1.5),
    ("anxi-tea", "安溪铁观音", "Anxi Tieguanyin tea", "Fujian", "Quanzhou", "food", 2.0),
    ("wuyishan-tea", "武夷岩茶", "Wuyishan rock tea", "Fujian", "Wuyishan", "food", 1.5),
    ("puer-tea", "普洱茶", "Pu'er tea", "Yunnan", "Pu'er", "food", 2.0),
    ("donghai-crystal", "东海水晶", "Donghai crystal", "Jiangsu", "Lianyungang", "jewelry", 2.0),
    ("zhuji-pearls", "诸暨珍珠", "Zhuji freshwater pearls", "Zhejiang", "Zhuji", "jewelry", 2.0),
    ("shuibei-gold", "深圳水贝黄金珠宝", "Shuibei gold & jewellery", "Guangdong", "Shenzhen", "jewelry", 2.0),
    ("huaqiangbei-electronics", "华强北电子", "Huaqiangbei electronics", "Guangdong", "Shenzhen", "electronics", 3.0),
    ("zhongshan-lighting", "中山古镇灯饰", "Zhongshan Guzhen lighting", "Guangdong", "Zhongshan", "home", 1.5),
    ("foshan-furniture", "佛山家具", "Foshan furniture", "Guangdong", "Foshan", "home", 2.5),
    ("shuyang-flowers", "沭阳花木", "Shuyang flowers & saplings", "Jiangsu", "Suqian", "agri", 1.5),
    ("yangjiang-knives", "阳江刀剪", "Yangjiang knives & scissors", "Guangdong", "Yangjiang", "home", 1.0),
    ("guangzhou-baiyun-cosmetics", "广州白云美妆", "Guangzhou Baiyun cosmetics", "Guangdong", "Guangzhou", "beauty",
     3.0),
    ("liuzhou-luosifen", "柳州螺蛳粉", "Liuzhou river-snail noodles", "Guangxi", "Liuzhou", "food", 2.0),
    ("qianjiang-crayfish", "潜江小龙虾", "Qianjiang crayfish", "Hubei", "Qianjiang", "food", 1.5),
    ("gannan-navel-oranges", "赣南脐橙", "Gannan navel oranges", "Jiangxi", "Ganzhou", "agri", 2.0),
    ("shouguang-vegetables", "寿光蔬菜", "Shouguang vegetables", "Shandong", "Weifang", "agri", 1.5),
    ("zhongning-goji", "中宁枸杞", "Zhongning goji berries", "Ningxia", "Zhongwei", "agri", 1.0),
    ("baigou-bags", "白沟箱包", "Baigou bags & luggage", "Hebei", "Baoding", "apparel", 2.0),
    ("cixi-appliances", "慈溪小家电", "Cixi small appliances", "Zhejiang", "Cixi", "electronics", 2.0),
    ("yongkang-hardware", "永康五金", "Yongkang hardware", "Zhejiang", "Yongkang", "home", 1.5),
    ("danyang-eyewear", "丹阳眼镜", "Danyang eyewear", "Jiangsu", "Danyang", "apparel", 1.0),
    ("nantong-home-textiles", "南通家纺", "Nantong home textiles", "Jiangsu", "Nantong", "home", 2.0),
    ("caoxian-hanfu", "曹县汉服", "Caoxian hanfu", "Shandong", "Heze", "apparel", 1.5),
    ("wuchang-rice", "五常大米", "Wuchang rice", "Heilongjiang", "Wuchang", "agri", 1.0),
)

CATEGORY = {c: i for i, c in enumerate(schema.CATEGORIES)}
CATEGORY_MIX_OFF_BELT = np.array([0.24, 0.14, 0.20, 0.13, 0.11, 0.09, 0.04, 0.05])  # in schema.CATEGORIES order
CATEGORY_ORDER_VALUE = np.array([1.1, 0.6, 1.2, 0.9, 2.4, 1.0, 3.0, 0.7])  # relative basket size
CATEGORY_REFUND = np.array([1.3, 0.6, 0.9, 0.85, 1.0, 0.9, 1.0, 0.8])  # apparel sizes go back most

# --- names ---------------------------------------------------------------------------------

SYLLABLES = list("云禾青素山木花拾初知半一小南北星月梦雪茶麦橙桃柚芝兰竹松林森溪川海岛鹿熊"
                 "喵乐悦悠简朴尚雅韵锦绣玉金宝御臻匠良优福喜安康美秀颜肌蔻妍萌童贝诺集")
CATEGORY_SUFFIXES = (
    ("服饰", "女装", "男装", "衣橱", "制衣", "鞋业", "针织", "家"),
    ("食品", "零食", "茶业", "厨房", "味道", "食坊", "良品"),
    ("美妆", "护肤", "彩妆", "研究所", "实验室", "本草"),
    ("家居", "生活馆", "家纺", "日用", "器物", "好物"),
    ("数码", "电器", "科技", "智能", "电子"),
    ("母婴", "童装", "童品", "宝贝", "玩具"),
    ("珠宝", "银饰", "水晶", "黄金", "珍珠"),
    ("农场", "果园", "农品", "生鲜", "山货"),
)
CATEGORY_GOODS = ("衬衫", "辣酱", "面膜", "毛巾", "耳机", "童鞋", "手镯", "脐橙")
SURNAMES = list("王李张刘陈杨黄赵周吴徐孙马胡朱郭何林罗高")
ENGLISH_WORDS = ("Lumi", "Nova", "Mori", "Kiko", "Bloom", "Urban", "Pure", "Maple", "Coco", "Luna",
                 "Terra", "Aura", "Velvet", "Sunny", "Little", "Happy", "North", "Oak", "Pebble", "Ember")
ENGLISH_TAILS = ("Studio", "Lab", "& Co.", "Home", "Kids", "Tea", "Beauty", "Wear", "Living", "Garden")
EMOJI = ("🍊", "🌸", "🍵", "🐻", "✨", "🌿", "💎", "🧸", "🍜", "🦞")

PROVIDER_PROVINCES = (  # province, weight, cities as they appear in company names
    ("Zhejiang", 30, ("杭州", "义乌", "宁波", "温州", "湖州")),
    ("Guangdong", 22, ("广州", "深圳", "东莞", "汕头", "佛山")),
    ("Shanghai", 12, ("上海",)),
    ("Beijing", 8, ("北京",)),
    ("Shandong", 8, ("临沂", "济南", "青岛")),
    ("Jiangsu", 7, ("南京", "苏州")),
    ("Fujian", 6, ("厦门", "泉州", "福州")),
    ("Sichuan", 3, ("成都",)),
    ("Hubei", 2, ("武汉",)),
    ("Henan", 2, ("郑州",)),
)
PROVIDER_SUFFIXES = (  # by provider type, in schema.PROVIDER_TYPES order
    ("电子商务有限公司", "电商服务有限公司", "网络科技有限公司", "品牌管理有限公司", "信息科技有限公司"),
    ("文化传媒有限公司", "网络传媒有限公司", "MCN机构", "直播基地"),
    ("供应链管理有限公司", "供应链有限公司", "商贸有限公司"),
)


def _word(rng) -> str:
    a, b = rng.integers(len(SYLLABLES), size=2)
    return SYLLABLES[a] + SYLLABLES[b]


def _pick_text(rng, options) -> str:
    return options[int(rng.integers(len(options)))]


def _unique_names(rng, n: int, make) -> list[str]:
    """n distinct names from make(rng, i); a clash is simply drawn again."""
    names, taken = [], set()
    for i in range(n):
        name = make(rng, i)
        while name in taken:
            name = make(rng, i)
        taken.add(name)
        names.append(name)
    return names


def _brand_name(rng, category: int, place: str | None) -> str:
    style = rng.random()
    core = _word(rng)
    suffix = _pick_text(rng, CATEGORY_SUFFIXES[category])
    english = f"{_pick_text(rng, ENGLISH_WORDS)} {_pick_text(rng, ENGLISH_TAILS)}"
    if style < 0.50:
        return core + suffix
    if style < 0.62 and place:
        return place + core + suffix  # a belt maker keeps its hometown in the name
    if style < 0.70:
        return f"老{_pick_text(rng, SURNAMES)}家{CATEGORY_GOODS[category]}"
    if style < 0.83:
        return english
    if style < 0.89:
        return f"{_pick_text(rng, ENGLISH_WORDS)} {core}"
    quirky = (f"“{core}”{suffix}", f"{core}, {_word(rng)}", f"{_pick_text(rng, EMOJI)} {core}{suffix}",
              f"{core}·{english}", f"{core}（{place or '上海'}）", f'"{core}" {suffix}', f"{core} & {_word(rng)}")
    return _pick_text(rng, quirky)


def _provider_name(rng, kind: int, city: str) -> str:
    word = _word(rng)
    style = rng.random()
    if style < 0.88:
        return city + word + _pick_text(rng, PROVIDER_SUFFIXES[kind])
    english = _pick_text(rng, ENGLISH_WORDS)
    return _pick_text(rng, (f"{city}{word} {english} Live", f"{word}（{city}）直播运营中心", f"{city}·{word}电商",
                            f"{english} & Partners 代运营", f"{word}“直播+”服务商", f"{city} {word} 供应链 / 选品"))


# --- the daily sales curve -------------------------------------------------------------------

def _calendar_effects() -> np.ndarray:
    """Multipliers on daily sales: weekends, the Spring Festival, 618, Double 11 and 12."""
    effect = np.ones(N_DAYS)
    effect[WEEKDAY >= 5] *= 1.12
    for spring_festival in ("2020-01-25", "2021-02-12"):  # couriers stop around the festival
        d = _day(spring_festival)
        effect[max(d - 10, 0):d + 8] *= 0.6
        effect[max(d - 3, 0):d + 4] *= 0.6
    effect[_day("2020-02-01"):_day("2020-03-01")] *= 0.8  # the 2020 lockdown
    for year in (2020, 2021):
        effect[_day(f"{year}-06-01"):_day(f"{year}-06-19")] *= 1.25
        effect[_day(f"{year}-06-16"):_day(f"{year}-06-19")] *= 1.6
        effect[_day(f"{year}-10-21"):_day(f"{year}-11-12")] *= 1.25
        effect[_day(f"{year}-11-10"):_day(f"{year}-11-12")] *= 2.2
        effect[_day(f"{year}-12-12")] *= 1.8
    return effect


def _quarter_shaped(weights, effects: np.ndarray, open_days: np.ndarray) -> np.ndarray:
    """Daily shares whose quarter totals follow `weights`, moving smoothly between quarters."""
    weights = np.asarray(weights, float)
    q_len = np.bincount(QUARTER, minlength=8)
    mids = np.cumsum(q_len) - q_len / 2
    level = np.exp(np.interp(DAYS + 0.5, mids, np.log(weights / q_len)))
    daily = level * effects * open_days
    totals = np.bincount(QUARTER, weights=daily, minlength=8)
    daily *= np.divide(weights, totals, out=np.zeros(8), where=totals > 0)[QUARTER]
    return daily / daily.sum()


def _onboarding_quarter_weights() -> np.ndarray:
    year_2021 = ONBOARDING_YEAR_GROWTH * sum(ONBOARDING_2020)
    shape = np.asarray(ONBOARDING_2021_SHAPE)
    return np.concatenate([ONBOARDING_2020, shape * year_2021 / shape.sum()])


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Split a whole number in proportion to weights, exactly."""
    share = total * np.asarray(weights, float) / np.sum(weights)
    counts = np.floor(share).astype(np.int64)
    counts[np.argsort(counts - share)[: total - counts.sum()]] += 1
    return counts


# --- dimension tables ------------------------------------------------------------------------

def _industry_belts() -> pd.DataFrame:
    return pd.DataFrame([b[:6] for b in BELTS], columns=[c.name for c in schema.industry_belts.c])


@dataclass
class _Providers:
    frame: pd.DataFrame
    joined: np.ndarray  # day index (negative: before 2020), ascending with provider_id
    province: np.ndarray
    appeal: np.ndarray  # how readily brands pick it


def _providers(rng) -> _Providers:
    n = int(rng.integers(190, 211))
    prov_w = np.array([p[1] for p in PROVIDER_PROVINCES], float)
    province_idx = rng.choice(len(PROVIDER_PROVINCES), size=n, p=prov_w / prov_w.sum())
    kind = rng.choice(3, size=n, p=[0.66, 0.22, 0.12])
    year = rng.choice([2019, 2020, 2021], size=n, p=[0.5, 0.33, 0.17])
    year_start = np.array([_day(f"{y}-01-01") for y in year])
    joined = np.sort(year_start + rng.integers(0, 365, size=n))  # ids are issued as providers join
    experts = np.clip(np.round(rng.lognormal(np.log(12), 1.0, size=n)), 2, 300).astype(np.int64)
    experts[kind == 1] = np.minimum(experts[kind == 1] * 2, 300)  # MCNs run many live rooms
    cities = [PROVIDER_PROVINCES[p][2] for p in province_idx]
    names = _unique_names(rng, n, lambda r, i: _provider_name(r, int(kind[i]), _pick_text(r, cities[i])))
    province = np.array([PROVIDER_PROVINCES[p][0] for p in province_idx], dtype=object)
    frame = pd.DataFrame({
        "provider_id": np.arange(1, n + 1, dtype=np.int64),
        "name": names,
        "province": province,
        "provider_type": np.array(schema.PROVIDER_TYPES, dtype=object)[kind],
        "joined_on": _dates(joined),
        "live_ops_experts": experts,
    })
    by_type = np.array([1.5, 0.5, 0.5])[kind]  # brands mostly hand their store to an agency (代运营)
    return _Providers(frame, joined, province, by_type * experts ** 0.8 * rng.lognormal(0, 0.4, size=n))


@dataclass
class _Brands:
    frame: pd.DataFrame
    onboard: np.ndarray  # day index, ascending with brand_id
    category: np.ndarray  # index into schema.CATEGORIES
    platform: np.ndarray  # managed by platform staff (the head)
    province: np.ndarray  # of the brand's belt, None off-belt
    size: np.ndarray  # share of sales it attracts when mature
    value: np.ndarray  # typical order value, relative

    @property
    def n(self) -> int:
        return len(self.onboard)


def _onboarding_days(rng, n: int) -> np.ndarray:
    """Quarter counts fixed by the anchors; within a quarter, business days mostly."""
    counts = _largest_remainder(n, _onboarding_quarter_weights())
    day_weight = np.where(WEEKDAY >= 5, 0.35, 1.0) * np.where(_calendar_effects() < 0.5, 0.3, 1.0)
    days = []
    for q, count in enumerate(counts):
        in_q = DAYS[QUARTER == q]
        p = day_weight[in_q] / day_weight[in_q].sum()
        days.append(rng.choice(in_q, size=count, p=p))
    return np.sort(np.concatenate(days))  # brand ids are issued in onboarding order


def _brands(rng) -> _Brands:
    n = int(rng.integers(4600, 5401))
    onboard = _onboarding_days(rng, n)
    belt_w = np.array([b[6] for b in BELTS])
    on_belt = rng.random(n) < 0.75
    belt = np.where(on_belt, rng.choice(len(BELTS), size=n, p=belt_w / belt_w.sum()), -1)
    belt_category = np.array([CATEGORY[b[5]] for b in BELTS])[belt]
    other_category = rng.choice(len(CATEGORY), size=n, p=CATEGORY_MIX_OFF_BELT)
    category = np.where(on_belt & (rng.random(n) < 0.85), belt_category, other_category)

    u = rng.random(n)
    brand_type = np.where(on_belt, np.select([u < 0.62, u < 0.90], [1, 0], 2), np.where(u < 0.55, 0, 2))
    late_2021 = onboard >= _day("2021-09-01")  # luxury came last (DOMAIN: "later: luxury brands")
    luxury_fit = np.isin(category, [CATEGORY["apparel"], CATEGORY["jewelry"], CATEGORY["beauty"]])
    brand_type[~on_belt & late_2021 & luxury_fit & (rng.random(n) < 0.15)] = 3

    # one latent "strength": the head brands are big offsite, run by platform staff, and sell most
    strength = rng.normal(0, 1, n) + np.array([0.0, -0.2, 0.8, 1.3])[brand_type]
    score = strength + rng.normal(0, 0.5, n)
    platform = score >= np.quantile(score, 0.8)
    offsite = 10 ** (6.3 + 0.85 * strength + rng.normal(0, 0.45, n))
    offsite_known = rng.random(n) < np.where(platform, 0.9, np.where(brand_type == 2, 0.7, 0.5))
    size = np.exp(strength + rng.normal(0, 0.35, n)) * np.where(platform, 1.25, 1.0)
    value = CATEGORY_ORDER_VALUE[category] * rng.lognormal(0, 0.3, n) * np.where(brand_type == 3, 12.0, 1.0)

    places = [BELTS[b][1][:2] if b >= 0 else None for b in belt]
    names = _unique_names(rng, n, lambda r, i: _brand_name(r, int(category[i]), places[i]))
    belt_ids = np.array([b[0] for b in BELTS] + [None], dtype=object)[belt]
    frame = pd.DataFrame({
        "brand_id": np.arange(1, n + 1, dtype=np.int64),
        "name": names,
        "belt_id": belt_ids,
        "category": np.array(schema.CATEGORIES, dtype=object)[category],
        "brand_type": np.array(schema.BRAND_TYPES, dtype=object)[brand_type],
        "managed_by": np.where(platform, "platform", "provider").astype(object),
        "onboarded_on": _dates(onboard),
        "offsite_gmv_cny": np.where(offsite_known, np.round(offsite, 2), np.nan),
    })
    province = np.array([b[3] for b in BELTS] + [None], dtype=object)[belt]
    return _Brands(frame, onboard, category, platform, province, size, value)


# --- who serves which brand ----------------------------------------------------------------

def _choose_providers(rng, providers: _Providers, start: np.ndarray, home: np.ndarray, previous: np.ndarray):
    """A provider already in the programme on `start`, by appeal; often one from the brand's home
    province; never the one the brand just left."""
    chosen = _weighted_joined_by(rng, providers.joined, providers.appeal, start)
    local = rng.random(len(start)) < 0.45
    for province in np.unique(providers.province):
        ids = np.flatnonzero(providers.province == province)
        ask = np.flatnonzero(local & (home == province))
        if len(ask):
            pick = _weighted_joined_by(rng, providers.joined[ids], providers.appeal[ids], start[ask])
            ok = pick >= 0
            chosen[ask[ok]] = ids[pick[ok]]
    same = chosen == previous
    n_eligible = np.searchsorted(providers.joined, start[same], side="right")
    chosen[same] = (chosen[same] + 1) % np.maximum(n_eligible, 2)  # the next one that had joined
    return chosen


def _weighted_joined_by(rng, joined: np.ndarray, appeal: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Index of a provider with joined ≤ start (joined ascending), weighted by appeal; -1 if none."""
    cum = np.cumsum(appeal)
    n_eligible = np.searchsorted(joined, start, side="right")
    reach = np.where(n_eligible > 0, cum[np.maximum(n_eligible - 1, 0)], 0.0)
    pick = np.searchsorted(cum, rng.random(len(start)) * reach, side="right")
    return np.where(n_eligible > 0, np.minimum(pick, n_eligible - 1), -1)


@dataclass
class _Assignments:
    frame: pd.DataFrame
    brand: np.ndarray  # sorted by (brand, start)
    start: np.ndarray
    end: np.ndarray  # NEVER while serving
    provider_id: np.ndarray

    def provider_on(self, brand: np.ndarray, day: np.ndarray) -> np.ndarray:
        """provider_id serving each brand on each day, 0 when none."""
        keys = self.brand * 1024 + self.start  # N_DAYS < 1024
        i = np.searchsorted(keys, brand * 1024 + day, side="right") - 1
        i_ok = np.maximum(i, 0)
        serving = (i >= 0) & (self.brand[i_ok] == brand) & (self.end[i_ok] >= day)
        return np.where(serving, self.provider_id[i_ok], 0)


def _provider_assignments(rng, brands: _Brands, providers: _Providers) -> _Assignments:
    n = brands.n
    # Platform staff run the head (a few with a provider's help); every brand providers serve has an assignment
    # from soon after its onboarding (managed_by = provider with none would contradict itself), by the data end.
    served = rng.random(n) < np.where(brands.platform, 0.08, 1.0)
    first = np.minimum(brands.onboard + np.where(rng.random(n) < 0.65, 0, rng.geometric(1 / 15, n)), LAST)
    served &= first <= LAST
    switches = np.where(brands.platform, 0, rng.choice(3, size=n, p=[0.85, 0.11, 0.04]))
    room = LAST - first - 30
    later = np.sort(first[:, None] + 30 + np.floor(rng.random((n, 2)) * np.maximum(room, 0)[:, None]), axis=1)
    later = later.astype(np.int64)
    has_1 = served & (switches >= 1) & (room > 0)
    has_2 = has_1 & (switches == 2) & (later[:, 1] > later[:, 0] + 14)

    segments = []  # (brand index, start, has a successor) for each assignment
    for starts, present, nxt_present, nxt_start in (
        (first, served, has_1, later[:, 0]),
        (later[:, 0], has_1, has_2, later[:, 1]),
        (later[:, 1], has_2, np.zeros(n, bool), later[:, 1]),
    ):
        idx = np.flatnonzero(present)
        segments.append((idx, starts[idx], np.where(nxt_present[idx], nxt_start[idx] - 1, NEVER)))

    previous = np.full(n, -1)
    parts = []
    for idx, start, end in segments:  # in time order, so a switch never returns to the same provider
        chosen = _choose_providers(rng, providers, start, brands.province[idx], previous[idx])
        previous[idx] = chosen
        parts.append((idx, start, end, chosen))
    b = np.concatenate([p[0] for p in parts])
    start = np.concatenate([p[1] for p in parts])
    end = np.concatenate([p[2] for p in parts])
    provider_id = np.concatenate([p[3] for p in parts]) + 1

    # some relationships end with nobody taking over
    room = LAST - start - 20
    leaves = (end == NEVER) & (room > 0) & (rng.random(len(b)) < 0.07)
    end[leaves] = start[leaves] + 20 + np.floor(rng.random(leaves.sum()) * room[leaves]).astype(np.int64)

    order = np.lexsort((start, b))
    b, start, end, provider_id = b[order], start[order], end[order], provider_id[order]
    frame = pd.DataFrame({
        "brand_id": b + 1,
        "provider_id": provider_id.astype(np.int64),
        "start_on": _dates(start),
        "end_on": _dates(end),
    })
    return _Assignments(frame, b, start, end, provider_id)


# --- two providers that stand out from their peers (the scorecard's clear cases) ---------------

STAR_QUALITY = (0.35, 0.55)     # refund probability × , step duration × for the brands it serves
LAGGARD_QUALITY = (2.0, 1.8)


def _standouts(assignments: _Assignments) -> dict[int, tuple[float, float]]:
    """provider_id -> (refund factor, step-duration factor): the provider with the most assignments
    starting in 2021 serves markedly better than its peers, the one with the second most markedly
    worse, so the scorecard has a clear case either way. Everyone else: (1, 1)."""
    in_2021 = assignments.start >= _day("2021-01-01")
    ids, counts = np.unique(assignments.provider_id[in_2021], return_counts=True)
    ranked = ids[np.lexsort((ids, -counts))]  # most assignments first, then the smaller id
    return {int(ranked[0]): STAR_QUALITY, int(ranked[1]): LAGGARD_QUALITY} if len(ranked) > 1 else {}


def _quality(standouts: dict, assignments: _Assignments, brand: np.ndarray, day: np.ndarray, which: int):
    """Factor `which` (0: refunds, 1: step durations) of the provider serving each brand on each day."""
    factor = np.ones(len(day))
    serving = assignments.provider_on(brand, np.minimum(day, LAST))
    for provider_id, factors in standouts.items():
        factor[serving == provider_id] = factors[which]
    return factor


# --- STEPS -------------------------------------------------------------------------------------

STEP_MEDIAN_DAYS = (30, 40, 55, 65, 80)
STEP_SPREAD = 0.5  # lognormal sigma of a step's duration
STEP_STALL = (0.03, 0.05, 0.06, 0.06, 0.05)  # the step's goal is never met
STEP_ADVANCE = (0.88, 0.80, 0.70, 0.58)  # after completing step k, go on to k+1


@dataclass
class _Steps:
    frame: pd.DataFrame
    started: np.ndarray  # (brands, 5) day index, NEVER when not (yet) started


def _steps_milestones(rng, brands: _Brands, assignments: _Assignments, standouts: dict) -> _Steps:
    n = brands.n
    speed = np.where(brands.platform, 0.8, 1.0)  # platform staff move their brands faster
    every = np.arange(n)
    started = np.full((n, 5), NEVER, dtype=np.int64)
    completed = np.full((n, 5), NEVER, dtype=np.int64)
    start = brands.onboard + np.where(rng.random(n) < 0.35, 0, rng.geometric(1 / 8, n))
    going = rng.random(n) < 0.97
    for k in range(5):
        days = rng.lognormal(np.log(STEP_MEDIAN_DAYS[k] * speed), STEP_SPREAD, n)
        days = np.ceil(days * _quality(standouts, assignments, every, start, 1)).astype(np.int64)
        stalls = rng.random(n) < STEP_STALL[k]
        started[going, k] = start[going]
        done = going & ~stalls
        completed[done, k] = start[done] + days[done]
        if k < 4:
            advance = STEP_ADVANCE[k] + np.where(brands.platform, 0.07, 0.0)
            going = done & (rng.random(n) < advance)
            start = completed[:, k] + np.where(rng.random(n) < 0.5, 0, rng.geometric(1 / 7, n))

    # a few brands build their own live room (step 3) before working public traffic (step 2)
    jump = (started[:, 2] <= LAST) & (rng.random(n) < 0.03)
    earlier = started[:, 1] - rng.integers(3, 25, n)
    jump &= earlier > started[:, 0]
    started[jump, 2] = earlier[jump]

    started = np.where(started <= LAST, started, NEVER)
    completed = np.where((started <= LAST) & (completed <= LAST), completed, NEVER)
    brand, step = np.nonzero(started <= LAST)
    frame = pd.DataFrame({
        "brand_id": brand.astype(np.int64) + 1,
        "step": (step + 1).astype(np.int64),
        "started_on": _dates(started[brand, step]),
        "completed_on": _dates(completed[brand, step]),
    })
    return _Steps(frame, started)


def _step_on(started: np.ndarray, brand: np.ndarray, day: np.ndarray) -> np.ndarray:
    """The highest step each brand had reached on each day (0: none)."""
    step = np.zeros(len(day), dtype=np.int8)
    for k in range(5):
        step = np.where(started[brand, k] <= day, k + 1, step)
    return step


# --- where sales go: brand × day weights ----------------------------------------------------------

STEP_VOLUME = np.array([0.6, 1.0, 1.3, 1.8, 2.3, 2.7])  # brands sell more as they progress
STEP_CAMPAIGNS = np.array([0.3, 0.8, 2.0, 1.2, 1.0, 1.0])  # step 2 is about buying public traffic


class _BrandPicker:
    """Draws a brand for each order day in proportion to a day × brand weight matrix."""

    def __init__(self, weights: np.ndarray, n_active: np.ndarray):
        self.n = weights.shape[1]
        self.cum = np.cumsum(weights, axis=None)
        self.row_end = self.cum[self.n - 1::self.n]
        self.row_start = np.concatenate([[0.0], self.row_end[:-1]])
        self.n_active = n_active  # brands are sorted by onboarding: the active ones come first

    def draw(self, rng, days: np.ndarray) -> np.ndarray:
        """Brand indexes (int32), drawn a piece at a time (one draw of len(days) values)."""
        return _piecewise(len(days), np.int32, lambda p: self._draw(rng, days[p].astype(np.int64)))

    def _draw(self, rng, days: np.ndarray) -> np.ndarray:
        span = self.row_end[days] - self.row_start[days]
        target = self.row_start[days] + rng.random(len(days)) * span
        brand = np.searchsorted(self.cum, target, side="right") - days * self.n
        return np.clip(brand, 0, self.n_active[days] - 1)


@dataclass
class _SalesPlan:
    daily_share: np.ndarray  # of all orders, per day
    campaign_day_share: np.ndarray  # when campaigns start: the trend without shopping festivals
    organic: _BrandPicker
    campaign: _BrandPicker


def _sales_plan(rng, brands: _Brands, steps: _Steps) -> _SalesPlan:
    n_active = np.searchsorted(brands.onboard, DAYS, side="right")
    open_days = (n_active > 0).astype(float)
    effects = _calendar_effects()
    daily_share = _quarter_shaped(ORDER_QUARTER_WEIGHTS, effects, open_days)
    campaign_day_share = _quarter_shaped(ORDER_QUARTER_WEIGHTS, np.minimum(effects, 1.0), open_days)

    age = DAYS[:, None] - brands.onboard[None, :]
    ramp = np.where(age >= 0, 0.25 + 0.75 * (1 - np.exp(-np.maximum(age, 0) / 45)), 0.0)
    step = np.zeros(age.shape, dtype=np.int8)
    for k in range(5):
        step = np.where(steps.started[None, :, k] <= DAYS[:, None], k + 1, step)
    organic = ramp * brands.size[None, :] * STEP_VOLUME[step]
    campaign = ramp * (brands.size ** 0.1)[None, :] * STEP_CAMPAIGNS[step]  # small brands buy traffic too
    # step 1 probes the burst coefficient: a few influencer days sell many times the usual
    probing = np.flatnonzero(steps.started[:, 0] <= LAST)
    for _ in range(2):
        burst_day = np.minimum(steps.started[probing, 0] + rng.integers(0, 30, len(probing)), LAST)
        organic[burst_day, probing] *= rng.lognormal(np.log(4), 0.5, len(probing))
    return _SalesPlan(daily_share, campaign_day_share,
                      _BrandPicker(organic, n_active), _BrandPicker(campaign, n_active))


# --- campaigns and the buyers they bring -------------------------------------------------------

ORDERS_PER_CAMPAIGN = 200  # ~60 buyers each: at ROI ≈ 3 most spend is well above the minimum
CAMPAIGN_ORDER_SHARE = 0.55  # of all orders, placed by buyers a campaign brought first
FIRST_ORDER_ON_T = 0.6  # most paid buyers order on the campaign day itself
REPEAT = 0.40  # chance of one more order; brands with a private domain (step 4+) keep more
REPEAT_PRIVATE_BONUS = 0.12


@dataclass
class _Campaigns:
    brand: np.ndarray  # index; campaigns sorted by start day, campaign_id = index + 1
    start: np.ndarray
    objective: np.ndarray  # index into schema.OBJECTIVES
    provider_id: np.ndarray  # 0: none
    buyers: np.ndarray  # buyers each campaign brings first


def _campaigns(rng, n_orders: int, plan: _SalesPlan, brands: _Brands, steps: _Steps,
               assignments: _Assignments) -> _Campaigns:
    n = max(5, round(n_orders / ORDERS_PER_CAMPAIGN))
    start = np.sort(rng.choice(N_DAYS, size=n, p=plan.campaign_day_share))
    brand = plan.campaign.draw(rng, start)
    step = _step_on(steps.started, brand, start)
    live_first = np.where(step >= 3, 0.6, 0.4)  # self-broadcasting brands buy traffic for their live room
    u = rng.random(n)
    objective = np.where(u < live_first, 0, np.where(u < live_first + (1 - live_first) * 0.6, 1, 2))
    provider_id = assignments.provider_on(brand, start)
    provider_id[rng.random(n) < 0.03] = 0  # the brand or platform staff ran this one themselves
    journeys = max(n, round(CAMPAIGN_ORDER_SHARE * n_orders * (1 - REPEAT)))
    pull = rng.lognormal(0, 0.5, n) * brands.size[brand] ** 0.5  # head brands run bigger campaigns
    buyers = 1 + rng.multinomial(journeys - n, pull / pull.sum())
    return _Campaigns(brand, start, objective, provider_id, buyers)


def _campaign_frame(rng, campaigns: _Campaigns, brands: _Brands, orders: "_Orders") -> pd.DataFrame:
    """Spend as each campaign planned it: a 1,000 CNY minimum budget plus a part in proportion to
    the buyers it was to bring, priced so that over the campaigns whose T+30 window has closed,
    ROI at T+30 = ROI_T30."""
    gmv_t30 = orders.campaign_gmv_within(30, campaigns)
    planned = campaigns.buyers * brands.value[campaigns.brand] * rng.lognormal(-0.35 ** 2 / 2, 0.35, len(gmv_t30))
    complete = campaigns.start + 30 <= LAST
    budget = gmv_t30[complete].sum() / ROI_T30 - MIN_SPEND * complete.sum()
    price = max(budget, 0.0) / max(planned[complete].sum(), 1e-9)
    spend = np.minimum(MIN_SPEND + planned * price, 500_000)
    n = len(spend)
    return pd.DataFrame({
        "campaign_id": np.arange(1, n + 1, dtype=np.int64),
        "brand_id": campaigns.brand.astype(np.int64) + 1,
        "provider_id": pd.arrays.IntegerArray(campaigns.provider_id.astype(np.int64), campaigns.provider_id == 0),
        "start_on": _dates(campaigns.start),
        "spend_cny": np.round(spend, 2),
        "objective": np.array(schema.OBJECTIVES, dtype=object)[campaigns.objective],
    })


# --- orders ----------------------------------------------------------------------------------
#
# Order-level arrays are held compact (int8/16/32 where the values fit) and computed a piece of
# PIECE orders at a time, so that a build of 100M orders fits in a few GB. Each random draw is
# still one draw of n values, taken in pieces in the same order (numpy's generators give the same
# stream drawn whole or in pieces), and sums run in the same order: the data do not depend on
# PIECE (tests/test_demo.py checks it).

PIECE = 1 << 20

HOUR_WEIGHTS = np.array([3, 2, 1, 0.6, 0.4, 0.4, 0.8, 1.5, 2.5, 3.5, 4, 4.5,
                         5, 4.5, 4, 4, 4.5, 5, 6, 8, 10, 10.5, 9, 6])  # live rooms peak at night
CHANNEL_BY_STEP = np.array([  # distribution, self_live, short_video, store
    [0.55, 0.04, 0.21, 0.20],
    [0.62, 0.05, 0.18, 0.15],
    [0.46, 0.10, 0.24, 0.20],
    [0.30, 0.38, 0.17, 0.15],
    [0.22, 0.44, 0.20, 0.14],
    [0.18, 0.47, 0.21, 0.14],
])
CHANNEL_PRIVATE = np.array([0.10, 0.55, 0.25, 0.10])  # fans come back to the live room and videos
PRIVATE_BY_STEP = np.array([0.04, 0.06, 0.08, 0.15, 0.38, 0.45])
BUYER_ID_BASE = 10_000_001


def _pieces(n: int):
    """Consecutive slices of PIECE items covering range(n)."""
    return (slice(start, min(start + PIECE, n)) for start in range(0, n, PIECE))


def _piecewise(n: int, dtype, make) -> np.ndarray:
    """An array of n values of dtype, make(piece) filling each slice in turn."""
    out = np.empty(n, dtype=dtype)
    for piece in _pieces(n):
        out[piece] = make(piece)
    return out


def _size(piece: slice) -> int:
    return piece.stop - piece.start


def _index_type(n: int):
    return np.int32 if n < 2 ** 31 else np.int64


def _day_counts(days: np.ndarray) -> np.ndarray:
    """np.bincount(days, minlength=N_DAYS), counted piece by piece."""
    counts = np.zeros(N_DAYS, dtype=np.int64)
    for piece in _pieces(len(days)):
        counts += np.bincount(days[piece], minlength=N_DAYS)
    return counts


@dataclass
class _Orders:
    """The fact table as compact arrays, sorted by ordered_at; order_id = position + 1."""
    brand: np.ndarray
    buyer_id: np.ndarray
    seconds: np.ndarray  # since FIRST_DAY 00:00:00
    channel: np.ndarray
    private: np.ndarray
    campaign: np.ndarray  # index, -1 when none
    channel_exclusive: np.ndarray
    gmv: np.ndarray
    refunded: np.ndarray
    returned: np.ndarray
    insured: np.ndarray

    def __len__(self) -> int:
        return len(self.brand)

    def campaign_gmv_within(self, days: int, campaigns: _Campaigns) -> np.ndarray:
        gmv = np.zeros(len(campaigns.start))
        for piece in _pieces(len(self)):
            campaign = self.campaign[piece]
            has = campaign >= 0
            c = campaign[has]
            in_window = self.seconds[piece][has] // SECONDS_PER_DAY <= campaigns.start[c] + days
            np.add.at(gmv, c[in_window], self.gmv[piece][has][in_window])  # in order: one bincount's sums
        return gmv

    def frame(self, start: int = 0, stop: int | None = None) -> pd.DataFrame:
        part = slice(start, stop)
        campaign = self.campaign[part]
        return pd.DataFrame({
            "order_id": np.arange(start + 1, start + len(campaign) + 1, dtype=np.int64),
            "brand_id": self.brand[part].astype(np.int64) + 1,
            "buyer_id": self.buyer_id[part].astype(np.int64),
            "ordered_at": FIRST_DAY.astype("datetime64[s]") + self.seconds[part].astype("timedelta64[s]"),
            "channel": pd.Categorical.from_codes(self.channel[part], categories=list(schema.CHANNELS)),
            "traffic_source": pd.Categorical.from_codes(self.private[part].astype(np.int8),
                                                        categories=list(schema.TRAFFIC_SOURCES)),
            "campaign_id": pd.arrays.IntegerArray(campaign.astype(np.int64) + 1, campaign < 0),
            "channel_exclusive": self.channel_exclusive[part],
            "gmv_cny": self.gmv[part],
            "refunded": self.refunded[part],
            "returned": self.returned[part],
            "return_shipping_insured": self.insured[part],
        })


def _campaign_journeys(rng, campaigns: _Campaigns, steps: _Steps):
    """Each paid buyer's orders: the first on day T or days after, then repeats over weeks."""
    n_journeys = int(campaigns.buyers.sum())
    campaign = np.repeat(np.arange(len(campaigns.buyers), dtype=np.int32), campaigns.buyers)
    first = _first_orders(rng, campaigns.start, campaign)

    def length(p):
        keeps = REPEAT + np.where(_step_on(steps.started, campaigns.brand[campaign[p]], first[p]) >= 4,
                                  REPEAT_PRIVATE_BONUS, 0.0)
        return np.minimum(rng.geometric(1 - keeps), 12)
    lengths = _piecewise(n_journeys, np.int8, length)

    journey = np.repeat(np.arange(n_journeys, dtype=_index_type(n_journeys)), lengths)
    journey_start = np.cumsum(lengths, dtype=np.int64) - lengths
    del lengths
    repeat = _piecewise(len(journey), bool, lambda p: np.arange(p.start, p.stop) > journey_start[journey[p]])
    days = _journey_days(first, journey, journey_start, _gaps(rng, repeat))
    keep = days <= LAST
    journey = journey[keep]
    return campaign[journey], days[keep], journey, repeat[keep]


def _first_orders(rng, start: np.ndarray, campaign: np.ndarray) -> np.ndarray:
    """Day of each paid buyer's first order: day T mostly, else within a week."""
    on_t = _piecewise(len(campaign), bool, lambda p: rng.random(_size(p)) < FIRST_ORDER_ON_T)
    return _piecewise(len(campaign), np.int16, lambda p: start[campaign[p]] + np.where(
        on_t[p], 0, np.minimum(rng.geometric(0.45, _size(p)), 7)))


def _gaps(rng, repeat: np.ndarray) -> np.ndarray:
    """Days between a journey's orders (0 before its first): mostly days, sometimes weeks."""
    n = len(repeat)
    soon = _piecewise(n, bool, lambda p: rng.random(_size(p)) < 0.75)
    gap = np.zeros(n, dtype=np.int32)
    for wait, chosen in ((5, soon), (40, ~soon)):  # the two exponential draws, in this order
        for p in _pieces(n):
            draw = np.floor(rng.exponential(wait, _size(p)))
            take = chosen[p] & repeat[p]
            gap[p][take] = draw[take]
    return gap


def _journey_days(first: np.ndarray, journey: np.ndarray, journey_start: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """Each order's day: its journey's first day plus the journey's gaps so far."""
    total = np.cumsum(gap, dtype=np.int64)

    def day(p):
        start = journey_start[journey[p]]
        return first[journey[p]] + (total[p] - total[start] + gap[start])
    return _piecewise(len(journey), np.int16, day)


def _paid_orders_within_plan(rng, n_orders: int, plan: _SalesPlan, day: np.ndarray, journey: np.ndarray) -> np.ndarray:
    """Which paid orders to keep: in a small warehouse a few big campaigns could overfill a quarter
    (Q1 2021 is small), so whole journeys are dropped until paid orders fill at most 70% of it."""
    planned = np.bincount(QUARTER, n_orders * plan.daily_share, 8)
    paid = np.bincount(QUARTER, _day_counts(day), 8)
    keep_p = np.minimum(1.0, 0.7 * planned / np.maximum(paid, 1))
    first_day = np.full(journey.max() + 1 if len(journey) else 0, LAST)
    np.minimum.at(first_day, journey, day)
    kept = _piecewise(len(first_day), bool, lambda p: rng.random(_size(p)) < keep_p[QUARTER[first_day[p]]])
    return kept[journey]


def _organic_days(rng, n_orders: int, plan: _SalesPlan, campaign_days: np.ndarray) -> np.ndarray:
    """Days of the orders nobody paid for: they fill each quarter up to its planned total (so the
    quarter anchors hold exactly) and each day towards the planned sales curve."""
    target = n_orders * plan.daily_share
    paid = _day_counts(campaign_days)
    room = np.maximum(target - paid, 0.05 * target)
    lacking = np.maximum(np.bincount(QUARTER, target, 8) - np.bincount(QUARTER, paid, 8), 0.0)
    per_quarter = _largest_remainder(n_orders - len(campaign_days), lacking + 1e-9 * (lacking.sum() == 0))
    counts = np.zeros(N_DAYS, dtype=np.int64)
    for q, count in enumerate(per_quarter):
        in_q = QUARTER == q
        counts[in_q] = rng.multinomial(count, room[in_q] / room[in_q].sum())
    return np.repeat(DAYS.astype(np.int16), counts)


def _order_seconds(rng, days: np.ndarray) -> np.ndarray:
    """Each order's time (seconds since FIRST_DAY) on its day: hours drawn first, then the seconds."""
    hour = _piecewise(len(days), np.int8,
                      lambda p: rng.choice(24, size=_size(p), p=HOUR_WEIGHTS / HOUR_WEIGHTS.sum()))
    return _piecewise(len(days), np.int32, lambda p: days[p].astype(np.int64) * SECONDS_PER_DAY + (
        hour[p].astype(np.int64) * 3600 + rng.integers(0, 3600, _size(p))))


def _private_by_step(rng, steps: _Steps, brand: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Whether each organic order comes from the brand's private domain, more often as it progresses."""
    return _piecewise(len(day), bool, lambda p: rng.random(_size(p)) < PRIVATE_BY_STEP[
        _step_on(steps.started, brand[p], day[p])])


def _organic_buyers(rng, brand: np.ndarray, seconds: np.ndarray, private: np.ndarray, universe: int):
    """Public orders come from anyone on the platform; a private order is a returning buyer of
    the same brand, picked among its earlier orders (so loyal buyers keep coming back)."""
    order = np.lexsort((seconds, brand))
    b = brand[order]
    n = len(b)
    index = _index_type(n)
    new_brand = np.r_[True, b[1:] != b[:-1]]
    del b
    start = np.flatnonzero(new_brand).astype(index)[np.cumsum(new_brand, dtype=index) - 1]  # of each one's brand
    del new_brand
    returning = np.empty(n, dtype=bool)
    for p in _pieces(n):
        returning[p] = private[order[p]] & (np.arange(p.start, p.stop) > start[p])
    parent = np.arange(n, dtype=index)
    for p in _pieces(n):  # recent orders more
        position = np.arange(p.start, p.stop) - start[p]
        earlier = start[p] + np.floor(position * np.sqrt(rng.random(_size(p)))).astype(np.int64)
        parent[p][returning[p]] = earlier[returning[p]]
    del start
    while True:  # follow each returning order back to the buyer's first, public one
        grand = parent[parent]
        if np.array_equal(grand, parent):
            break
        parent = grand
    del grand
    draws = _piecewise(n, _index_type(universe), lambda p: rng.integers(0, universe, _size(p)))
    buyers, returns = np.empty(n, dtype=draws.dtype), np.empty(n, dtype=bool)
    for p in _pieces(n):
        buyers[order[p]] = draws[parent[p]]
        returns[order[p]] = returning[p]
    return buyers, returns


def _orders(rng, n_orders: int, plan: _SalesPlan, brands: _Brands, steps: _Steps,
            campaigns: _Campaigns, assignments: _Assignments, standouts: dict) -> _Orders:
    """The paid orders come first until the final sort by time (so `paid` slices select them)."""
    c_campaign, c_day, c_journey, c_repeat = _campaign_journeys(rng, campaigns, steps)
    keep = _paid_orders_within_plan(rng, n_orders, plan, c_day, c_journey)
    c_campaign, c_day, c_journey, c_repeat = c_campaign[keep], c_day[keep], c_journey[keep], c_repeat[keep]
    del keep
    o_day = _organic_days(rng, n_orders, plan, c_day)
    o_brand = plan.organic.draw(rng, o_day)
    o_seconds = _order_seconds(rng, o_day)
    o_private = _private_by_step(rng, steps, o_brand, o_day)
    universe = max(1000, int(0.5 * n_orders))
    o_buyer, o_private = _organic_buyers(rng, o_brand, o_seconds, o_private, universe)
    n_journeys = int(campaigns.buyers.sum())
    c_private = c_repeat.copy()  # they come back as followers
    for p in _pieces(len(c_day)):
        c_private[p] &= rng.random(_size(p)) < 0.55

    n_paid = len(c_day)
    brand = np.concatenate([campaigns.brand[c_campaign], o_brand])
    day = np.concatenate([c_day, o_day])
    seconds = np.concatenate([_order_seconds(rng, c_day), o_seconds])
    private = np.concatenate([c_private, o_private])
    del o_brand, c_day, o_day, o_seconds, c_private, o_private
    campaign = np.concatenate([c_campaign, np.full(n_orders - n_paid, -1, dtype=c_campaign.dtype)])
    # buyer ids: one shuffled id space for platform users and campaign-brought newcomers (a paid buyer is
    # new to the brand: first touch is the campaign)
    ids = np.arange(universe + n_journeys, dtype=_index_type(BUYER_ID_BASE + universe + n_journeys))
    rng.shuffle(ids)  # rng.permutation(n), in the ids' own type
    buyer_id = np.empty(n_orders, dtype=ids.dtype)
    for p in _pieces(n_paid):
        buyer_id[p] = BUYER_ID_BASE + ids[universe + c_journey[p].astype(np.int64)]
    for p in _pieces(n_orders - n_paid):
        buyer_id[n_paid + p.start:n_paid + p.stop] = BUYER_ID_BASE + ids[o_buyer[p]]
    del ids, o_buyer, c_journey

    objective = campaigns.objective[c_campaign].astype(np.int8)  # of the paid orders
    channel = _channels(rng, steps, brand, day, private, objective, c_repeat)
    del objective, c_repeat, c_campaign
    exclusive = _channel_exclusive(rng, steps, brand, day)
    gmv = _order_values(rng, brands, brand, day, private)
    refunded, returned, insured = _after_sale(rng, brands, brand, day, gmv, standouts, assignments)
    del day

    columns = {"brand": brand, "buyer_id": buyer_id, "seconds": seconds, "channel": channel, "private": private,
               "campaign": campaign, "channel_exclusive": exclusive, "gmv": gmv, "refunded": refunded,
               "returned": returned, "insured": insured}
    del brand, buyer_id, channel, private, campaign, exclusive, gmv, refunded, returned, insured
    order = np.argsort(seconds, kind="stable")  # order ids follow time
    del seconds
    for name in columns:  # one column at a time
        columns[name] = columns[name][order]
    return _Orders(**columns)


def _choose_rows(rng, table: np.ndarray, row: np.ndarray) -> np.ndarray:
    """One column index per item, with probabilities table[row]."""
    cum = np.cumsum(table, axis=1)
    u = rng.random(len(row)) * cum[row, -1]
    pick = np.zeros(len(row), dtype=np.int8)
    for j in range(table.shape[1] - 1):
        pick += u >= cum[row, j]
    return pick


def _channels(rng, steps: _Steps, brand, day, private, objective, repeat) -> np.ndarray:
    """The mix moves to self-broadcast as brands progress; private buyers come to live rooms and
    videos; a paid buyer's orders mostly come through what the campaign promoted. `objective` and
    `repeat` are the paid orders' (the first ones)."""
    table = np.vstack([CHANNEL_BY_STEP, CHANNEL_PRIVATE])

    def step(p):
        return _step_on(steps.started, brand[p], day[p])
    channel = _piecewise(len(brand), np.int8, lambda p: _choose_rows(
        rng, table, np.where(private[p], len(CHANNEL_BY_STEP), step(p))))
    for p in _pieces(len(objective)):
        goal = objective[p]
        promoted = np.select([goal == 0, goal == 1], [np.where(step(p) >= 3, 1, 0), 2], 3).astype(np.int8)
        follow = rng.random(_size(p)) < np.where(repeat[p], 0.4, 0.75)
        channel[p][follow] = promoted[follow]
    return channel


def _channel_exclusive(rng, steps: _Steps, brand, day) -> np.ndarray:
    """Channel-exclusive products arrive with step 5 and grow as the brand makes more of them."""
    def exclusive(p):
        since_step_5 = day[p].astype(np.int64) - steps.started[brand[p], 4]
        share = np.where(since_step_5 >= 0, 0.10 + 0.25 * np.minimum(since_step_5, 270) / 270, 0.02)
        return rng.random(_size(p)) < share
    return _piecewise(len(day), bool, exclusive)


def _order_values(rng, brands: _Brands, brand, day, private) -> np.ndarray:
    """Lognormal around each brand's basket. Each quarter's average basket is held level, so
    that sales multiples follow the planned order curve (the source's 8× in Q2 2021)."""
    n = len(brand)
    raw = _piecewise(n, np.float64, lambda p: brands.value[brand[p]] * rng.lognormal(0, 0.85, _size(p)) * np.where(
        private[p], 1.1, 1.0))
    sums, counts = np.zeros(8), np.zeros(8, dtype=np.int64)
    for p in _pieces(n):
        quarter = QUARTER[day[p]]
        np.add.at(sums, quarter, raw[p])  # in order: one bincount's sums
        counts += np.bincount(quarter, minlength=8)
    mean_q = sums / np.maximum(counts, 1)
    level = np.divide(raw.mean(), mean_q, out=np.ones(8), where=mean_q > 0)
    for p in _pieces(n):
        raw[p] *= level[QUARTER[day[p]]]
    raw *= MEDIAN_ORDER_CNY / np.median(raw)
    for p in _pieces(n):
        raw[p] = np.clip(np.round(raw[p], 2), 0.01, 500_000)
    for p in _pieces(n):
        raw[p][rng.random(_size(p)) < 0.006] = 0.0  # gifts and fully-discounted orders
    return raw


def _after_sale(rng, brands: _Brands, brand, day, gmv, standouts: dict, assignments: _Assignments):
    """Trust improves through 2021: fewer refunds and returns, more insured return shipping; the
    standout providers' brands get refunds less (or more) often."""
    def year_2021(p):
        return np.clip((day[p].astype(np.int64) - _day("2021-01-01")) / 364, 0, None)

    def refunded(p):
        year = year_2021(p)
        refund_p = np.where(year > 0, 0.08 - 0.03 * year, 0.08) * CATEGORY_REFUND[brands.category[brand[p]]]
        refund_p = refund_p * _quality(standouts, assignments, brand[p], day[p].astype(np.int64), 0)
        return (rng.random(_size(p)) < refund_p) & (gmv[p] > 0)

    def insured(p):
        year, year_2020 = year_2021(p), np.clip(day[p].astype(np.int64) / 365, 0, 1)
        return rng.random(_size(p)) < np.where(year > 0, 0.20 + 0.40 * year, 0.12 + 0.08 * year_2020)

    n = len(day)
    refunds = _piecewise(n, bool, refunded)
    if_refunded = _piecewise(n, bool, lambda p: rng.random(_size(p)) < 0.72)
    returned = _piecewise(n, bool, lambda p: np.where(refunds[p], if_refunded[p], rng.random(_size(p)) < 0.003))
    return refunds, returned, _piecewise(n, bool, insured)


# --- the whole warehouse -----------------------------------------------------------------------

@dataclass
class Demo:
    frames: dict[str, pd.DataFrame]  # every table but orders
    orders: _Orders


def synthesize(orders: int, seed: int) -> Demo:
    if orders < 100:
        raise ValueError("the demo warehouse needs at least 100 orders")
    rng = np.random.default_rng(seed)
    providers = _providers(rng)
    brands = _brands(rng)
    assignments = _provider_assignments(rng, brands, providers)
    standouts = _standouts(assignments)
    steps = _steps_milestones(rng, brands, assignments, standouts)
    plan = _sales_plan(rng, brands, steps)
    campaigns = _campaigns(rng, orders, plan, brands, steps, assignments)
    facts = _orders(rng, orders, plan, brands, steps, campaigns, assignments, standouts)
    frames = {
        "industry_belts": _industry_belts(),
        "providers": providers.frame,
        "brands": brands.frame,
        "provider_assignments": assignments.frame,
        "steps_milestones": steps.frame,
        "campaigns": _campaign_frame(rng, campaigns, brands, facts),
    }
    return Demo(frames, facts)


def generate(orders: int = 1_000_000, seed: int = 7) -> dict[str, pd.DataFrame]:
    """All seven tables of the demo warehouse, as DataFrames ready for load.load_frames."""
    demo = synthesize(orders, seed)
    return {name: demo.frames[name] if name != "orders" else demo.orders.frame() for name in schema.TABLE_NAMES}
