"""中文 / English: every word the pages show, one dict per language, keyed by the English text.

`t("Data as of {date}", date=...)` looks the key up in the reader's language (English falls
back to the key itself). The language comes from `?lang=zh|en`, else the browser's locale
(`st.context.locale`, then the Accept-Language header), else Chinese.
"""
from __future__ import annotations

from collections.abc import Mapping

LANGS = ("zh", "en")
DEFAULT_LANG = "zh"
LANG_LABELS = {"zh": "中文", "en": "English"}

ZH: dict[str, str] = {
    # ---------------------------------------------------------------- frame
    "beltboard · brand dashboard": "beltboard · 产业带品牌看板",
    "Overview": "总览",
    "Onboarding growth": "品牌入驻增长",
    "Sales multiples": "销量倍数",
    "Providers": "服务商",
    "STEPS": "STEPS 五步法",
    "Brand": "品牌",
    "Trust & ROI": "信任与 ROI",
    "Coming soon: another engineer is building this page.": "即将上线：此页面正在开发中。",
    "Data as of {date}": "数据截至 {date}",
    "Language": "语言",
    "Filters": "筛选",
    "Refresh data": "刷新数据",
    "Reload every figure from the warehouse (figures are cached for 10 minutes).":
        "从数据仓库重新读取所有数字（数字缓存 10 分钟）。",
    "Reset filters": "重置筛选",
    "Date range": "日期范围",
    "Last 30 days of data": "最近 30 天数据",
    "Last 90 days of data": "最近 90 天数据",
    "This quarter": "本季度",
    "Year to date": "年初至今",
    "Custom": "自定义",
    "Relative to the last day with data ({date}).": "相对于最后一个有数据的日期（{date}）。",
    "From": "开始日期",
    "To": "结束日期",
    "{start} – {end}": "{start} 至 {end}",
    "The start date was after the end date; the two were swapped.": "开始日期晚于结束日期，已对调。",
    "Period": "周期",
    "Month": "月",
    "Quarter": "季度",
    "Year": "年",
    "Industry belts": "产业带",
    "Type to search belts or provinces": "输入以搜索产业带或省份",
    "No belt": "无产业带",
    "All belts": "全部产业带",
    "Provinces": "省份",
    "All provinces": "全部省份",
    "Of the brand's industry belt.": "品牌所属产业带的省份。",
    "Categories": "品类",
    "All categories": "全部品类",
    "Brand types": "品牌类型",
    "All brand types": "全部品牌类型",
    "Managed by": "运营方",
    "All": "全部",
    "Some values in the link were not understood and were ignored: {items}":
        "链接中的部分参数无法识别，已忽略：{items}",
    # ---------------------------------------------------------------- errors
    "The warehouse is missing tables.": "数据仓库缺少数据表。",
    "The warehouse cannot be reached.": "无法连接数据仓库。",
    "The warehouse holds no orders yet.": "数据仓库中还没有订单。",
    "The warehouse could not answer.": "数据仓库无法返回结果。",
    "What to do: build the demo warehouse with `{command}`, or point WAREHOUSE_URL at a warehouse that has these tables, then press “Refresh data”.":
        "处理办法：用 `{command}` 生成演示数据仓库，或将 WAREHOUSE_URL 指向包含这些表的数据仓库，然后点击“刷新数据”。",
    "What to do: check WAREHOUSE_URL (or .streamlit/secrets.toml) and that the database server is running, then press “Refresh data”.":
        "处理办法：检查 WAREHOUSE_URL（或 .streamlit/secrets.toml）以及数据库服务是否在运行，然后点击“刷新数据”。",
    "What to do: load orders into the warehouse (or build the demo with `{command}`), then press “Refresh data”.":
        "处理办法：向数据仓库导入订单（或用 `{command}` 生成演示数据），然后点击“刷新数据”。",
    "What to do: press “Refresh data”; if it persists, tell the data team and include this message.":
        "处理办法：点击“刷新数据”；若问题仍在，请将此信息发给数据团队。",
    "Details: {message}": "详情：{message}",
    # ---------------------------------------------------------------- shared widgets
    "Loading {what}…": "正在加载{what}…",
    "Download CSV": "下载 CSV",
    "The rows shown, as UTF-8 CSV with a byte-order mark (opens cleanly in Excel); the same format as `python -m data_access export`.":
        "与表格显示的行一致，UTF-8（带 BOM）CSV，可直接用 Excel 打开；格式与 `python -m data_access export` 相同。",
    "No brands match these filters — widen the date range or clear the belt filter.":
        "没有符合筛选条件的品牌 —— 请扩大日期范围或清除产业带筛选。",
    "vs {period} ({before} → {after})": "对比 {period}（{before} → {after}）",
    "{n} rows": "{n} 行",
    "Select a row to open the brand page.": "选中一行即可打开品牌页面。",
    "Click a bar to narrow the filters to that belt.": "点击柱形可将筛选缩小到该产业带。",
    "Partial period: the data ends on {date}.": "本周期数据不完整：数据截至 {date}。",
    # ---------------------------------------------------------------- columns and fields
    "period": "周期",
    "group": "分组",
    "brands_onboarded": "入驻品牌数",
    "growth_multiple": "环比倍数",
    "yoy_multiple": "同比倍数",
    "cumulative_brands": "累计品牌数",
    "gmv_cny": "GMV",
    "net_gmv_cny": "净 GMV",
    "orders": "订单数",
    "gmv_multiple": "GMV 倍数",
    "orders_multiple": "订单倍数",
    "brand_id": "品牌 ID",
    "brand_name": "品牌",
    "belt": "产业带",
    "belt_id": "产业带",
    "province": "省份",
    "category": "品类",
    "brand_type": "品牌类型",
    "managed_by": "运营方",
    "base_gmv_cny": "基期 GMV",
    "current_gmv_cny": "本期 GMV",
    "multiple": "倍数",
    "new_in_current": "本期新增",
    "brands": "品牌数",
    "share": "占比",
    "Value": "数值",
    "gmv_share": "GMV 占比",
    "brands_share": "品牌占比",
    "cohort_quarter": "入驻季度",
    "months_since_onboarding": "入驻后第几个月",
    "step": "步骤",
    "current_step": "当前步骤",
    "None": "无",
    # ---------------------------------------------------------------- overview
    "Brands onboarded · {period}": "入驻品牌 · {period}",
    "Brands with onboarded_on in the period; the multiple is this period over the one before (环比).":
        "入驻日期在该周期内的品牌数；倍数为本周期与上一周期之比（环比）。",
    "GMV · {period}": "GMV · {period}",
    "Value of orders placed in the period, refunded ones included; the multiple is this period over the one before.":
        "该周期内下单金额（含退款订单）；倍数为本周期与上一周期之比。",
    "Active providers": "活跃服务商",
    "Providers serving at least one selected brand in the date range, compared with the range of equal length before it.":
        "在所选日期范围内至少服务一个所选品牌的服务商数量，与之前等长的时间段对比。",
    "vs previous {days} days ({before} → {after})": "对比之前 {days} 天（{before} → {after}）",
    "ROI T+0": "ROI T+0",
    "ROI T+30": "ROI T+30",
    "GMV of campaign orders on the start day (T+0) or within 30 days (T+30), over spend, for campaigns starting in the range. The platform judges ROI at T+30.":
        "活动开始当天（T+0）或 30 天内（T+30）的活动订单 GMV 除以投放花费，统计范围内开始的活动。平台以 T+30 评估 ROI。",
    "T+30 is not final yet for {share} of the spend (campaigns younger than 30 days).":
        "{share} 的花费所对应活动的 T+30 尚未结束（活动开始不足 30 天）。",
    "Refund rate · {period}": "退款率 · {period}",
    "Refunded orders over orders placed in the period.": "该周期内退款订单数 / 下单数。",
    "vs {period} ({before})": "对比 {period}（{before}）",
    "Brands by STEPS step": "各 STEPS 步骤的品牌数",
    "Each brand counted at its current (highest reached) step, as of {date}; the change is since {since}.":
        "每个品牌按截至 {date} 已到达的最高步骤计数；变化为自 {since} 以来。",
    "Step {n}": "第 {n} 步",
    "Brands in STEPS": "进入 STEPS 的品牌",
    "Selected brands that have started at least step 1.": "已开始至少第 1 步的所选品牌。",
    "since {date} ({before} → {after})": "自 {date}（{before} → {after}）",
    "since {date}": "自 {date} 以来",
    "Not started": "未开始",
    "Platform-run and provider-served brands": "官方运营与服务商服务的品牌",
    "Head brands are run by platform staff; the rest are served through providers. Brands: all selected brands onboarded by the end of the range. GMV: orders placed in the shown periods.":
        "头部品牌由官方小二运营，其余由服务商服务。品牌数：截至范围末已入驻的所选品牌；GMV：所示周期内的订单。",
    "Onboarding per period": "各周期入驻品牌数",
    "GMV per period": "各周期 GMV",
    # ---------------------------------------------------------------- onboarding
    "Year over year · {period}": "同比 · {period}",
    "Brands onboarded in the period over the same period a year earlier (同比).":
        "本周期入驻品牌数与去年同期之比（同比）。",
    "Cumulative brands": "累计品牌数",
    "Selected brands onboarded on or before the end of {period}, all history counted.":
        "截至 {period} 末已入驻的所选品牌（计入全部历史）。",
    "+{n} in {period}": "{period} 新增 {n}",
    "Brands onboarded, period by period": "各周期入驻品牌数",
    "Breakdown": "细分维度",
    "No breakdown": "不细分",
    "Brands onboarded by {by}": "按{by}的入驻品牌数",
    "Belt ranking": "产业带排行",
    "Brands onboarded in {periods}, by industry belt.": "{periods} 内各产业带入驻品牌数。",
    "Cumulative brands over time": "累计品牌数走势",
    # ---------------------------------------------------------------- sales
    "Net GMV · {period}": "净 GMV · {period}",
    "GMV of orders not refunded, this period over the one before.": "未退款订单的 GMV，本周期与上一周期之比。",
    "Orders · {period}": "订单数 · {period}",
    "Orders placed in the period, this period over the one before.": "该周期内的订单数，本周期与上一周期之比。",
    "GMV, net GMV and orders per period": "各周期 GMV、净 GMV 与订单数",
    "Orders per period": "各周期订单数",
    "Per-brand multiples": "品牌销量倍数",
    "GMV of each brand in {current} over {base} (the range of equal length before).":
        "各品牌在 {current} 的 GMV 与 {base}（之前等长时间段）之比。",
    "Brands by sales multiple": "按销量倍数分布的品牌数",
    "multiple range": "倍数区间",
    "multiple_range": "倍数区间",
    "new": "新增",
    "Top movers": "增长最快的品牌",
    "The {n} brands with the highest multiple (base GMV above zero).": "倍数最高的 {n} 个品牌（基期 GMV 大于 0）。",
    "Brands new in the range": "本期新增销售的品牌",
    "Brands with GMV in the range and none in the range before it.": "在本期有 GMV 而上一时间段没有的品牌。",
    "All brands with sales": "全部有销售的品牌",
    "Cohorts by onboarding quarter": "按入驻季度的品牌队列",
    "GMV in the range by the quarter the brand was onboarded and the months since its onboarding month.":
        "范围内 GMV，按品牌入驻季度与入驻后月数划分。",
    "Cohort GMV": "队列 GMV",
    # ---- providers / STEPS / brand / trust pages
    # columns and fields
    "period_start": "周期",
    "provider_id": "服务商 ID",
    "provider_name": "服务商",
    "provider_type": "服务商类型",
    "live_ops_experts": "直播运营专家",
    "brands_served": "服务品牌数",
    "new_brands": "新增品牌",
    "refund_rate": "退款率",
    "return_rate": "退货率",
    "insured_share": "退货包运费占比",
    "private_share": "私域 GMV 占比",
    "repeat_buyer_rate": "复购买家占比",
    "roi_t0": "ROI T+0",
    "roi_t10": "ROI T+10",
    "roi_t30": "ROI T+30",
    "steps_completed": "完成步骤数",
    "median_days_per_step": "每步中位天数",
    "state": "状态",
    "current_step_started_on": "当前步骤开始日",
    "days_in_step": "当前步骤天数",
    "stalled": "停滞",
    "brands_reached": "到达品牌数",
    "brands_completed": "完成品牌数",
    "conversion_from_previous": "较上一步转化率",
    "median_days_to_complete": "完成中位天数",
    "started_on": "开始日期",
    "completed_on": "完成日期",
    "days": "天数",
    "distribution_share": "达人分销占比",
    "burst_coefficient": "爆发系数",
    "public_gmv_growth": "公域 GMV 增长",
    "self_live_share": "品牌自播占比",
    "exclusive_share": "渠道特供品占比",
    "onboarded_on": "入驻日期",
    "channel": "渠道",
    "traffic_source": "流量来源",
    "start_on": "开始服务",
    "end_on": "结束服务",
    "days_served": "服务天数",
    "campaigns": "活动数",
    "spend_cny": "投放花费",
    "gmv_t0": "GMV T+0",
    "gmv_t10": "GMV T+10",
    "gmv_t30": "GMV T+30",
    "t30_complete_share": "T+30 已结束花费占比",
    "metric": "指标",
    "providers": "服务商数",
    "median": "中位数",
    "p90": "P90（前 10%）",
    "ROI T+10": "ROI T+10",
    "ROI": "ROI",
    "Window": "窗口",
    "Agency": "代运营",
    "MCN": "MCN 机构",
    "Supply chain": "供应链",
    "In progress": "进行中",
    "Step completed": "已完成当前步骤",
    "No provider": "无服务商",
    "Influencer distribution": "达人分销",
    "Brand self-broadcast": "品牌自播",
    "Short video": "短视频",
    "Store": "店铺",
    "Public domain": "公域",
    "Private domain": "私域",
    "industry belt": "产业带",
    "provider": "服务商",
    "Median {value}": "中位数 {value}",
    "P90 {value}": "P90 {value}",
    "median {median} · P90 {p90}": "中位数 {median} · P90 {p90}",
    "Against its peers: each delta is the difference from the median of the {n} providers shown.":
        "与同行对比：各项变化为与所列 {n} 家服务商中位数之差。",
    "previous {days} days": "之前 {days} 天",
    # providers
    "League table": "服务商排行榜",
    "Every provider serving a selected brand in the range, by served GMV. Click a column header to sort.":
        "在范围内服务所选品牌的全部服务商，按服务 GMV 排序。点击列标题可重新排序。",
    "Select a row to see that provider below.": "选中一行即可在下方查看该服务商。",
    "Served GMV": "服务 GMV",
    "GMV of the orders the providers served (a brand's orders on days inside its provider's assignment), over all providers shown.":
        "服务商所服务订单的 GMV（品牌在服务商服务期内的订单），合计所列全部服务商。",
    "Brands whose assignment to a provider starts in the range, summed over providers.":
        "服务关系在范围内开始的品牌数，按服务商加总。",
    "STEPS milestones completed in the range while a provider served the brand, summed over providers.":
        "服务商服务期间在范围内完成的 STEPS 步骤数，按服务商加总。",
    "Peer bands": "同行区间",
    "Median and top decile (90th percentile) of each figure across the {n} providers shown; providers without the figure are left out.":
        "所列 {n} 家服务商各项指标的中位数与前 10%（第 90 百分位）；无该指标的服务商不计入。",
    "Provider view": "服务商详情",
    "Provider": "服务商",
    "Choose a provider": "选择服务商",
    "Provider {id} serves none of the selected brands in this range; choose one of the providers shown.":
        "服务商 {id} 在该范围内未服务任何所选品牌；请从所列服务商中选择。",
    "Pick a provider in the table or the box to see its brands, its GMV trend and its figures against its peers.":
        "在表格或下拉框中选择服务商，查看其品牌、GMV 走势以及与同行的对比。",
    "{n} live-stream operations experts": "{n} 名直播运营专家",
    "GMV of the provider's served orders in the range, over the same in the range of equal length before it.":
        "该服务商在范围内所服务订单的 GMV，与之前等长时间段之比。",
    "Served GMV per period": "各周期服务 GMV",
    "Its brands and their STEPS state": "其服务品牌及 STEPS 状态",
    "Selected brands this provider serves in the range, with their STEPS state as of {date}.":
        "该服务商在范围内服务的所选品牌，以及截至 {date} 的 STEPS 状态。",
    # STEPS
    "Stalled after … days in one step": "在同一步骤停留超过多少天视为停滞",
    "A brand is stalled when its current step has been in progress for more than this many days (default {n}).":
        "品牌当前步骤进行中超过该天数即视为停滞（默认 {n} 天）。",
    "All five steps completed": "五步全部完成",
    "Brands with all five steps completed.": "五个步骤全部完成的品牌。",
    "Brands whose current step is not completed yet.": "当前步骤尚未完成的品牌。",
    "Stalled (> {n} days)": "停滞（> {n} 天）",
    "Brands in progress whose current step started more than {n} days before the as-of date.":
        "当前步骤在数据截止日前超过 {n} 天开始且仍在进行中的品牌。",
    "As of {date}, compared with {before}.": "截至 {date}，与 {before} 对比。",
    "The STEPS funnel": "STEPS 漏斗",
    "Per step: brands that reached it (started by the as-of date) and completed it; conversion is the brands reaching the step over those reaching the step before; median days from start to completion.":
        "每一步：已到达（截止日前已开始）与已完成的品牌数；转化率为到达该步的品牌数 / 到达上一步的品牌数；完成中位天数为开始到完成的天数中位数。",
    "Stalled brands": "停滞品牌",
    "In progress for more than {n} days in their current step, as of {date}.":
        "截至 {date}，当前步骤已进行超过 {n} 天的品牌。",
    "No brand has been in one step for more than {n} days.": "没有品牌在同一步骤停留超过 {n} 天。",
    "Stalled brands by industry belt": "各产业带停滞品牌数",
    "Stalled brands by provider": "各服务商停滞品牌数",
    "The {n} belts with the most stalled brands.": "停滞品牌最多的 {n} 个产业带。",
    "Stalled brands counted by industry belt and by provider": "按产业带与服务商统计的停滞品牌数",
    "The {n} providers with the most stalled brands (the provider serving on the as-of date).":
        "停滞品牌最多的 {n} 家服务商（按截止日当天的服务商）。",
    "{n} stalled brands": "{n} 个停滞品牌",
    "Every selected brand's STEPS state": "全部所选品牌的 STEPS 状态",
    "One brand's timeline": "单个品牌的时间线",
    "Each step from its start to its completion, or to the as-of date while in progress; below, the data that shows each step, over the date range.":
        "每一步从开始到完成（进行中则到数据截止日）；下方为日期范围内体现各步骤的数据。",
    "No selected brand has started STEPS yet.": "所选品牌尚未开始 STEPS。",
    "Type to search.": "输入以搜索。",
    "This brand has no orders in the date range, so there is no evidence to show.":
        "该品牌在日期范围内没有订单，暂无可展示的数据。",
    "Open the brand page": "打开品牌页面",
    "STEPS evidence of every selected brand": "全部所选品牌的 STEPS 数据",
    "Selected brands with orders in the range, by GMV. Shares are of the brand's GMV in the range; public-traffic growth compares the range with the one of equal length before; the burst coefficient is over the 30 days from step 1's start.":
        "范围内有订单的所选品牌，按 GMV 排序。占比均为品牌在范围内 GMV 的占比；公域增长为本范围与之前等长时间段之比；爆发系数按第 1 步开始后的 30 天计算。",
    "Share of the brand's GMV in the range sold through influencer distribution.": "品牌范围内 GMV 中达人分销的占比。",
    "The best day's distribution GMV over the mean day's, in the 30 days from step 1's start.":
        "第 1 步开始后 30 天内，达人分销 GMV 最高一天与日均之比。",
    "Public-traffic GMV in the range over the range of equal length before it.": "范围内公域 GMV 与之前等长时间段之比。",
    "Share of the brand's GMV in the range from its own live room (self-broadcast).": "品牌范围内 GMV 中品牌自播的占比。",
    "Share of the brand's GMV in the range from private-domain traffic.": "品牌范围内 GMV 中私域流量的占比。",
    "Among the brand's buyers in the range, the share with two or more orders.": "范围内该品牌买家中下单两次及以上的占比。",
    "Share of the brand's GMV in the range from channel-exclusive products.": "品牌范围内 GMV 中渠道特供品的占比。",
    # brand
    "Choose a brand": "选择品牌",
    "Type to search by name or id.": "输入名称或 ID 搜索。",
    "No brand with id {id} is among the brands these filters select. Choose a brand below, or widen the filters.":
        "当前筛选条件下没有 ID 为 {id} 的品牌。请在下方选择品牌，或放宽筛选条件。",
    "Choose a brand to see its profile, STEPS, sales, providers, ROI and trust figures; every table of brands on the other pages opens this page too.":
        "选择品牌即可查看其概况、STEPS、销量、服务商、ROI 与信任指标；其他页面的品牌表格也可打开此页面。",
    "Private-domain share · {period}": "私域占比 · {period}",
    "STEPS timeline": "STEPS 时间线",
    "As of {date}: {step} — {status}.": "截至 {date}：{step} —— {status}。",
    "{n} days in the step": "本步骤已 {n} 天",
    "This brand has not started STEPS.": "该品牌尚未开始 STEPS。",
    "GMV by channel and traffic source": "按渠道与流量来源的 GMV",
    "No orders of this brand in the shown periods.": "该品牌在所示周期内没有订单。",
    "Provider history": "服务商历史",
    "Every assignment of a provider to this brand; days served count both ends, an open assignment up to the as-of date.":
        "服务过该品牌的全部服务商；服务天数含首尾两天，尚未结束的服务计至数据截止日。",
    "No provider has served this brand: it is run by the brand or platform staff.":
        "没有服务商服务过该品牌：由品牌自身或官方小二运营。",
    "Select a row to open that provider on the Providers page.": "选中一行即可在服务商页面查看该服务商。",
    "ROI windows of its campaigns": "其投放活动的 ROI 窗口",
    "Campaigns of this brand starting in the range: GMV of their orders from the start day to T+0, T+10 and T+30, over spend.":
        "该品牌在范围内开始的活动：从开始日到 T+0、T+10、T+30 的活动订单 GMV 除以投放花费。",
    "No campaign of this brand starts in the range.": "该品牌在范围内没有开始的活动。",
    "All its campaigns": "其全部活动",
    "Trust": "信任指标",
    "Refunds, returns and return-shipping insurance over the brand's orders placed in each period; private-domain share of GMV; repeat buyers.":
        "该品牌各周期订单的退款、退货与退货包运费情况；私域 GMV 占比；复购买家。",
    # trust & ROI
    "Return rate · {period}": "退货率 · {period}",
    "Returned orders over orders placed in the period.": "该周期内退货订单数 / 下单数。",
    "Insured share · {period}": "退货包运费占比 · {period}",
    "Orders with return-shipping insurance (退货包运费) over orders placed in the period.":
        "该周期内含退货包运费的订单数 / 下单数。",
    "Refunds, returns and insured shipping over time": "退款、退货与退货包运费走势",
    "Over the orders placed in each period: refunded, returned and return-shipping-insured orders over orders; private-domain share of GMV; repeat buyers among (brand, buyer) pairs.":
        "按各周期下单：退款、退货、含退货包运费订单占订单数的比例；私域 GMV 占比；（品牌, 买家）对中的复购占比。",
    "Refunds and returns by industry belt or provider": "按产业带或服务商的退款与退货",
    "Break down by": "细分维度",
    "Refund rate over the shown periods: the {n} belts with the highest.": "所示周期内退款率最高的 {n} 个产业带。",
    "All selected brands, then the {n} belts with the most spend (every belt is in the table below).":
        "全部所选品牌，以及投放花费最多的 {n} 个产业带（全部产业带见下表）。",
    "By industry belt and period": "按产业带与周期",
    "Over each provider's served orders in the range; the lines mark the median and the 90th percentile across the {n} providers.":
        "按各服务商在范围内所服务的订单计算；线条标出 {n} 家服务商的中位数与第 90 百分位。",
    "ROI at T+0, T+10 and T+30": "T+0、T+10 与 T+30 的 ROI",
    "Campaigns starting in the range: GMV of their orders from the start day to T+0, T+10 and T+30, over spend. Most platforms judge ROI at T+0; this platform judges it at T+10 and T+30, counting public-domain traffic that settles into the brand's private domain.":
        "范围内开始的活动：从开始日到 T+0、T+10、T+30 的活动订单 GMV 除以投放花费。多数平台以 T+0 评估 ROI；本平台看 T+10 与 T+30，计入沉淀到品牌私域的公域流量。",
    "No campaign of the selected brands starts in the range.": "所选品牌在范围内没有开始的活动。",
    "T+30 is not final yet for {share} of the spend: campaigns starting on or after {date} have not reached T+30 by the as-of date. Their bars are drawn lighter.":
        "{share} 的花费尚未到 T+30：{date} 及之后开始的活动在数据截止日前还未满 T+30，其柱形以浅色显示。",
    "Click a belt's bars to narrow the filters to that belt.": "点击某产业带的柱形可将筛选缩小到该产业带。",
    "All selected brands": "全部所选品牌",
    "By industry belt": "按产业带",
    # ---------------------------------------------------------------- access control
    "Local mode: no sign-in is configured, so you see every belt as a manager.":
        "本地模式：未配置登录，你以管理者身份查看全部产业带。",
    "Signed in as {user} ({what})": "已登录：{user}（{what}）",
    "manager · every belt": "管理者 · 全部产业带",
    "operator · {n} belts": "运营 · {n} 个产业带",
    "provider #{id} · its brands": "服务商 #{id} · 其服务的品牌",
    "Your belts: {belts}. Every figure, total and download covers these belts only.":
        "你的产业带：{belts}。所有数字、合计与下载仅包含这些产业带。",
    "Your brands: every figure, total and download covers only the brands provider #{id} has served.":
        "你的品牌：所有数字、合计与下载仅包含服务商 #{id} 服务过的品牌。",
    "Sign in to see the dashboard.": "请登录后查看看板。",
    "Sign in": "登录",
    "Sign out": "退出登录",
    "The access configuration cannot be used: {error}": "访问权限配置无法使用：{error}",
    "Sign-in is configured ([auth] in secrets.toml) but there is no roles file saying who may see which belts.":
        "已配置登录（secrets.toml 中的 [auth]），但没有角色文件说明谁可以查看哪些产业带。",
    "A roles file is configured but no way to sign in: set [identity] header in the roles file, or [auth] in secrets.toml.":
        "已配置角色文件，但没有登录方式：请在角色文件中设置 [identity] header，或在 secrets.toml 中配置 [auth]。",
    "No identity reached the dashboard: open it through the company sign-in proxy.":
        "看板没有收到身份信息：请通过公司的登录代理打开。",
    "{user} has no access to this dashboard. Ask a manager to add you to the roles file.":
        "{user} 没有此看板的访问权限。请联系管理者将你加入角色文件。",
    "Your role ({role}) has no industry belts assigned, so there is nothing to show. Ask a manager to assign belts to it.":
        "你的角色（{role}）没有分配产业带，因此没有可显示的数据。请联系管理者为其分配产业带。",
    "The warehouse took too long to answer.": "数据仓库响应超时。",
    "What to do: narrow the filters (fewer belts, a shorter date range) and try again; the next query runs normally. If it keeps happening, tell the data team.":
        "处理方法：缩小筛选范围（更少的产业带、更短的日期范围）后重试；下一次查询会正常运行。如果反复出现，请联系数据团队。",
}

# ---- Data health: the warehouse contract check (ui/health.py, pages/data_health.py)
ZH.update({
    "Data health": "数据健康",
    "Only managers see the data health check.": "只有管理者可以查看数据健康检查。",
    "Run the check again": "重新检查",
    "Checking the warehouse against its contract…": "正在按数据契约检查数据仓库…",
    "Checked at {time} in {seconds} s: {tables} of 7 tables, {rows} rows.":
        "检查于 {time}，用时 {seconds} 秒：7 张表中有 {tables} 张，共 {rows} 行。",
    "Errors": "错误",
    "Warnings": "警告",
    "Figures would be wrong: fix these in the warehouse or its views.": "数字会出错：请在数据仓库或其视图中修正。",
    "Figures are right, but the data looks suspicious.": "数字正确，但数据看起来可疑。",
    "Figures on these pages may be wrong: {pages}.": "以下页面的数字可能有误：{pages}。",
    "The warehouse honours its contract: no errors, no warnings.": "数据仓库符合数据契约：没有错误，也没有警告。",
    "The same check from the command line: python -m data_access check (see the README, “Bring your own "
    "warehouse”).": "命令行中的同一检查：python -m data_access check（见 README「接入自己的数据仓库」）。",
    "The warehouse breaks its contract in {where}: figures on {pages} may be wrong. A manager sees the "
    "details under Data health.": "数据仓库在 {where} 处不符合数据契约：{pages} 的数字可能有误。管理者可在「数据健康」中查看详情。",
    "Severity": "级别", "Table": "表", "Column": "列", "Finding": "问题", "Count": "数量", "Detail": "说明",
    "Examples": "示例",
    "error": "错误", "warning": "警告",
    "missing_table": "缺少表", "missing_column": "缺少列", "wrong_type": "类型不符", "duplicate_key": "主键重复",
    "unknown_reference": "引用不存在", "value_not_in_contract": "取值不在契约内", "null": "不应为空",
    "completed_before_started": "完成早于开始", "step_out_of_range": "步骤不在 1–5",
    "overlapping_assignments": "服务商分配重叠", "negative_amount": "金额为负", "check_failed": "检查未能运行",
    "future_order": "未来日期的订单", "order_before_first_brand": "早于首个品牌的订单",
    "onboarded_after_first_order": "入驻晚于首单", "steps_out_of_order": "步骤顺序颠倒", "zero_spend": "投放花费为 0",
    "belt_without_brands": "产业带没有品牌", "stale_marts": "汇总表已过期",
})

PROVINCES_ZH = {
    "Anhui": "安徽", "Beijing": "北京", "Chongqing": "重庆", "Fujian": "福建", "Gansu": "甘肃",
    "Guangdong": "广东", "Guangxi": "广西", "Guizhou": "贵州", "Hainan": "海南", "Hebei": "河北",
    "Heilongjiang": "黑龙江", "Henan": "河南", "Hubei": "湖北", "Hunan": "湖南", "Inner Mongolia": "内蒙古",
    "Jiangsu": "江苏", "Jiangxi": "江西", "Jilin": "吉林", "Liaoning": "辽宁", "Ningxia": "宁夏",
    "Qinghai": "青海", "Shaanxi": "陕西", "Shandong": "山东", "Shanghai": "上海", "Shanxi": "山西",
    "Sichuan": "四川", "Tianjin": "天津", "Tibet": "西藏", "Xinjiang": "新疆", "Yunnan": "云南",
    "Zhejiang": "浙江", "Hong Kong": "香港", "Macau": "澳门", "Taiwan": "台湾",
}

# Schema enums: the value in the data -> its words.
ENUMS: dict[str, dict[str, dict[str, str]]] = {
    "category": {
        "en": {"apparel": "Apparel", "food": "Food", "beauty": "Beauty", "home": "Home",
               "electronics": "Electronics", "mother_baby": "Mother & baby", "jewelry": "Jewelry",
               "agri": "Agricultural"},
        "zh": {"apparel": "服装", "food": "食品", "beauty": "美妆", "home": "家居", "electronics": "数码电子",
               "mother_baby": "母婴", "jewelry": "珠宝", "agri": "农产品"},
    },
    "brand_type": {
        "en": {"new": "New brand", "belt_upgrade": "Belt upgrade (ex white-label)", "established": "Established",
               "luxury": "Luxury"},
        "zh": {"new": "新锐品牌", "belt_upgrade": "产业带白牌升级", "established": "成熟品牌", "luxury": "奢侈品牌"},
    },
    "managed_by": {
        "en": {"platform": "Platform staff (head)", "provider": "Service providers"},
        "zh": {"platform": "官方小二（头部）", "provider": "服务商"},
    },
    "step": {
        "en": {0: "Not started", 1: "1 Influencer distribution", 2: "2 Public-domain traffic",
               3: "3 Brand self-broadcast", 4: "4 Private-domain repurchase", 5: "5 Channel-exclusive products"},
        "zh": {0: "未开始", 1: "1 达人分销", 2: "2 公域流量", 3: "3 品牌自播", 4: "4 私域复购", 5: "5 渠道特供品"},
    },
    "by": {
        "en": {"belt": "industry belt", "province": "province", "category": "category", "brand_type": "brand type",
               "managed_by": "managed by"},
        "zh": {"belt": "产业带", "province": "省份", "category": "品类", "brand_type": "品牌类型",
               "managed_by": "运营方"},
    },
}

EN: dict[str, str] = {key: key for key in ZH}
EN.update({
    # field names shown as column headers
    "period": "Period", "group": "Group", "brands_onboarded": "Brands onboarded", "growth_multiple": "Growth ×",
    "yoy_multiple": "YoY ×", "cumulative_brands": "Cumulative brands", "gmv_cny": "GMV", "net_gmv_cny": "Net GMV",
    "orders": "Orders", "gmv_multiple": "GMV ×", "orders_multiple": "Orders ×", "brand_id": "Brand ID",
    "brand_name": "Brand", "belt": "Industry belt", "belt_id": "Industry belt", "province": "Province",
    "category": "Category", "brand_type": "Brand type", "managed_by": "Managed by", "base_gmv_cny": "Base GMV",
    "current_gmv_cny": "Current GMV", "multiple": "Multiple", "new_in_current": "New in range", "brands": "Brands",
    "share": "Share", "gmv_share": "GMV share", "brands_share": "Brand share", "cohort_quarter": "Onboarded in",
    "months_since_onboarding": "Months since onboarding", "step": "Step", "current_step": "Current step",
    "multiple range": "Multiple range", "multiple_range": "Multiple range", "new": "new",
})

# ---- Data health: the contract check's rules in English words
EN.update({
    "error": "Error", "warning": "Warning",
    "missing_table": "Missing table", "missing_column": "Missing column", "wrong_type": "Wrong type",
    "duplicate_key": "Duplicate key", "unknown_reference": "Unknown reference",
    "value_not_in_contract": "Value outside the contract", "null": "NULL not allowed",
    "completed_before_started": "Completed before started", "step_out_of_range": "Step outside 1–5",
    "overlapping_assignments": "Overlapping assignments", "negative_amount": "Negative amount",
    "check_failed": "Check could not run", "future_order": "Order in the future",
    "order_before_first_brand": "Order before the first brand", "onboarded_after_first_order":
        "Onboarded after first order", "steps_out_of_order": "Steps out of order", "zero_spend": "Spend 0",
    "belt_without_brands": "Belt without brands", "stale_marts": "Stale marts",
})

# ---- providers / STEPS / brand / trust pages: column headers in English
EN.update({
    "period_start": "Period", "provider_id": "Provider ID", "provider_name": "Provider",
    "provider_type": "Provider type", "live_ops_experts": "Live-ops experts", "brands_served": "Brands served",
    "new_brands": "New brands", "refund_rate": "Refund rate", "return_rate": "Return rate",
    "insured_share": "Insured share", "private_share": "Private-domain share", "repeat_buyer_rate": "Repeat buyers",
    "roi_t0": "ROI T+0", "roi_t10": "ROI T+10", "roi_t30": "ROI T+30", "steps_completed": "Steps completed",
    "median_days_per_step": "Median days per step", "state": "State", "current_step_started_on": "Step started on",
    "days_in_step": "Days in step", "stalled": "Stalled", "brands_reached": "Brands reached",
    "brands_completed": "Brands completed", "conversion_from_previous": "Conversion from previous step",
    "median_days_to_complete": "Median days to complete", "started_on": "Started on", "completed_on": "Completed on",
    "days": "Days", "distribution_share": "Distribution share", "burst_coefficient": "Burst coefficient",
    "public_gmv_growth": "Public-traffic growth", "self_live_share": "Self-broadcast share",
    "exclusive_share": "Channel-exclusive share", "onboarded_on": "Onboarded on", "channel": "Channel",
    "traffic_source": "Traffic source", "start_on": "Served from", "end_on": "Served until",
    "days_served": "Days served", "campaigns": "Campaigns", "spend_cny": "Spend", "gmv_t0": "GMV T+0",
    "gmv_t10": "GMV T+10", "gmv_t30": "GMV T+30", "t30_complete_share": "T+30 final (share of spend)",
    "metric": "Figure", "providers": "Providers", "median": "Median", "p90": "P90 (top decile)",
})

TEXTS = {"zh": ZH, "en": EN}


def t(key: str, lang: str | None = None, **values) -> str:
    """`key` in the reader's language, with `{name}` fields filled from `values`."""
    text = TEXTS[lang or current()].get(key, key)
    return text.format(**values) if values else text


def enum(kind: str, value, lang: str | None = None) -> str:
    """A schema enum value (category, brand type, …) in words; unknown values as they are."""
    return ENUMS[kind][lang or current()].get(value, str(value))


def province(name: str | None, lang: str | None = None) -> str:
    if name is None:
        return t("No belt", lang)
    return PROVINCES_ZH.get(name, name) if (lang or current()) == "zh" else name


# ---------------------------------------------------------------- which language

def from_locale(locale: str | None) -> str | None:
    """'zh-CN' -> 'zh', 'en-US' -> 'en', anything else -> None."""
    if not locale:
        return None
    primary = locale.strip().lower().replace("_", "-").split("-")[0]
    return primary if primary in LANGS else None


def from_accept_language(header: str | None) -> str | None:
    """The first of our languages in an Accept-Language header, by quality."""
    if not header:
        return None
    ranked = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        lang = from_locale(tag)
        if lang and quality > 0:
            ranked.append((-quality, position, lang))
    return min(ranked)[2] if ranked else None


def detect(query_lang: str | None, locale: str | None, headers: Mapping[str, str] | None) -> str:
    """?lang=…, else the browser's locale, else Accept-Language, else Chinese."""
    if query_lang in LANGS:
        return query_lang
    return (from_locale(locale) or from_accept_language((headers or {}).get("Accept-Language"))
            or DEFAULT_LANG)


def browser_language() -> str | None:
    """What the browser says, without the URL: st.context.locale, then Accept-Language."""
    import streamlit as st
    locale = getattr(st.context, "locale", None)  # st.context.locale exists since Streamlit 1.46
    try:
        headers = st.context.headers
    except Exception:  # no browser session (bare script mode)
        headers = {}
    lang = from_locale(locale) or from_accept_language(headers.get("Accept-Language") if headers else None)
    return lang


def current() -> str:
    """The language of this run, as the frame settled it (see ui.state.language)."""
    import streamlit as st
    try:
        lang = st.session_state.get("_bb_lang")
    except Exception:
        lang = None
    return lang if lang in LANGS else DEFAULT_LANG
