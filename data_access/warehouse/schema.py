"""The warehouse contract (../shared/WAREHOUSE.md), declared once.

Every query refers to these columns, so a typo is an AttributeError rather than a wrong
number. Integer keys use autoincrement=False: duckdb-engine would otherwise render SERIAL.
A column whose values are enumerated carries them in `info["values"]` (`allowed_values`), so
the contract check (data_access.warehouse.contract_check) reads them from here, where the tables live.
"""
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
)

metadata = MetaData()

CATEGORIES = ("apparel", "food", "beauty", "home", "electronics", "mother_baby", "jewelry", "agri")
BRAND_TYPES = ("new", "belt_upgrade", "established", "luxury")
MANAGED_BY = ("platform", "provider")
PROVIDER_TYPES = ("agency", "mcn", "supply_chain")
CHANNELS = ("distribution", "self_live", "short_video", "store")
TRAFFIC_SOURCES = ("public", "private")
OBJECTIVES = ("live", "short_video", "store")
STEPS = (1, 2, 3, 4, 5)
NO_BELT = "none"  # the filter value that selects brands without an industry belt


def allowed_values(column: Column) -> tuple | None:
    """The contract's enumerated values of a column, or None when any value of its type is allowed."""
    return column.info.get("values")


industry_belts = Table(
    "industry_belts", metadata,
    Column("belt_id", String(64), primary_key=True),
    Column("name_zh", String(64), nullable=False),
    Column("name_en", String(128), nullable=False),
    Column("province", String(32), nullable=False),
    Column("city", String(32), nullable=False),
    Column("main_category", String(32), nullable=False, info={"values": CATEGORIES}),
)

providers = Table(
    "providers", metadata,
    Column("provider_id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", String(128), nullable=False),
    Column("province", String(32), nullable=False),
    Column("provider_type", String(16), nullable=False, info={"values": PROVIDER_TYPES}),
    Column("joined_on", Date, nullable=False),
    Column("live_ops_experts", Integer, nullable=False),
)

brands = Table(
    "brands", metadata,
    Column("brand_id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", String(128), nullable=False),
    Column("belt_id", String(64), nullable=True),
    Column("category", String(32), nullable=False, info={"values": CATEGORIES}),
    Column("brand_type", String(16), nullable=False, info={"values": BRAND_TYPES}),
    Column("managed_by", String(16), nullable=False, info={"values": MANAGED_BY}),
    Column("onboarded_on", Date, nullable=False),
    Column("offsite_gmv_cny", Numeric(16, 2), nullable=True),
)

provider_assignments = Table(
    "provider_assignments", metadata,
    Column("brand_id", BigInteger, nullable=False, autoincrement=False),
    Column("provider_id", BigInteger, nullable=False, autoincrement=False),
    Column("start_on", Date, nullable=False),
    Column("end_on", Date, nullable=True),
    PrimaryKeyConstraint("brand_id", "provider_id", "start_on"),
)

steps_milestones = Table(
    "steps_milestones", metadata,
    Column("brand_id", BigInteger, nullable=False, autoincrement=False),
    Column("step", SmallInteger, nullable=False, autoincrement=False, info={"values": STEPS}),
    Column("started_on", Date, nullable=False),
    Column("completed_on", Date, nullable=True),
    PrimaryKeyConstraint("brand_id", "step"),
)

campaigns = Table(
    "campaigns", metadata,
    Column("campaign_id", BigInteger, primary_key=True, autoincrement=False),
    Column("brand_id", BigInteger, nullable=False),
    Column("provider_id", BigInteger, nullable=True),
    Column("start_on", Date, nullable=False),
    Column("spend_cny", Numeric(14, 2), nullable=False),
    Column("objective", String(16), nullable=False, info={"values": OBJECTIVES}),
)

orders = Table(
    "orders", metadata,
    Column("order_id", BigInteger, primary_key=True, autoincrement=False),
    Column("brand_id", BigInteger, nullable=False),
    Column("buyer_id", BigInteger, nullable=False),
    Column("ordered_at", DateTime, nullable=False),
    Column("channel", String(16), nullable=False, info={"values": CHANNELS}),
    Column("traffic_source", String(8), nullable=False, info={"values": TRAFFIC_SOURCES}),
    Column("campaign_id", BigInteger, nullable=True),
    Column("channel_exclusive", Boolean, nullable=False),
    Column("gmv_cny", Numeric(12, 2), nullable=False),
    Column("refunded", Boolean, nullable=False),
    Column("returned", Boolean, nullable=False),
    Column("return_shipping_insured", Boolean, nullable=False),
)

TABLES = tuple(metadata.tables.values())  # in dependency order: parents first
TABLE_NAMES = tuple(t.name for t in TABLES)

# Where a contract column points (the "→" of WAREHOUSE.md): (referring column, referred key).
# Declared here rather than as ForeignKeys, which would put constraints into the demo's DDL.
REFERENCES = (
    (brands.c.belt_id, industry_belts.c.belt_id),
    (provider_assignments.c.brand_id, brands.c.brand_id),
    (provider_assignments.c.provider_id, providers.c.provider_id),
    (steps_milestones.c.brand_id, brands.c.brand_id),
    (campaigns.c.brand_id, brands.c.brand_id),
    (campaigns.c.provider_id, providers.c.provider_id),
    (orders.c.brand_id, brands.c.brand_id),
    (orders.c.campaign_id, campaigns.c.campaign_id),
)
