-- The worked example's source warehouse: how a team's own PostgreSQL might hold the platform's data.
-- Other table and column names, money in fen (分, integer cents), status codes instead of words, and a
-- brand dimension that keeps its history (SCD type 2: one row per version of a brand).
-- views_postgresql.sql maps it onto beltboard's contract (../../../shared/WAREHOUSE.md).
CREATE SCHEMA shop;

CREATE TABLE shop.region_cluster (                 -- industry belts
    cluster_code       varchar(64)  PRIMARY KEY,   -- slug, e.g. linyi-apparel
    title_cn           varchar(64)  NOT NULL,
    title_en           varchar(128) NOT NULL,
    province_en        varchar(32)  NOT NULL,
    city_en            varchar(32)  NOT NULL,
    lead_category_code smallint     NOT NULL       -- 1 apparel … 8 agri, as category_code below
);

CREATE TABLE shop.partner (                        -- service providers
    partner_no         bigint       PRIMARY KEY,
    partner_name       varchar(128) NOT NULL,
    province_en        varchar(32)  NOT NULL,
    partner_kind       char(2)      NOT NULL,      -- AG agency, MC MCN, SC supply chain
    programme_joined   date         NOT NULL,
    live_ops_headcount integer      NOT NULL
);

CREATE TABLE shop.dim_brand (                      -- brands, one row per version (SCD2)
    brand_sk           bigint       PRIMARY KEY,   -- the version's surrogate key; facts point at it
    brand_no           bigint       NOT NULL,      -- the brand's business key
    brand_name         varchar(128) NOT NULL,
    cluster_code       varchar(64),                -- NULL: not from an industry belt
    category_code      smallint     NOT NULL,      -- 1 apparel, 2 food, 3 beauty, 4 home, 5 electronics,
                                                   -- 6 mother_baby, 7 jewelry, 8 agri
    segment_code       smallint     NOT NULL,      -- 1 new, 2 belt_upgrade, 3 established, 4 luxury
    operated_by        char(1)      NOT NULL,      -- P platform staff, S a service provider
    offsite_gmv_fen    bigint,                     -- yearly GMV elsewhere, in fen; NULL: unknown
    valid_from         date         NOT NULL,      -- the first version's valid_from is the onboarding day
    valid_to           date                        -- NULL: the current version
);

CREATE TABLE shop.brand_partner_link (              -- which provider served which brand, when
    brand_no           bigint       NOT NULL,
    partner_no         bigint       NOT NULL,
    served_from        date         NOT NULL,
    served_to          date,                       -- inclusive; NULL: still serving
    PRIMARY KEY (brand_no, partner_no, served_from)
);

CREATE TABLE shop.brand_step_progress (            -- the five STEPS
    brand_no           bigint       NOT NULL,
    step_no            smallint     NOT NULL,
    began_on           date         NOT NULL,
    achieved_on        date,
    PRIMARY KEY (brand_no, step_no)
);

CREATE TABLE shop.ad_campaign (
    campaign_no        bigint       PRIMARY KEY,
    brand_no           bigint       NOT NULL,
    partner_no         bigint,                     -- NULL: run by the brand or platform staff
    launch_day         date         NOT NULL,
    spend_fen          bigint       NOT NULL,
    goal_code          smallint     NOT NULL       -- 1 live, 2 short video, 3 store
);

CREATE TABLE shop.trade_order (
    order_no             bigint     PRIMARY KEY,
    brand_sk             bigint     NOT NULL,      -- the brand's version on the order's day
    buyer_no             bigint     NOT NULL,
    created_at           timestamp  NOT NULL,      -- platform local time
    channel_code         smallint   NOT NULL,      -- 10 distribution, 20 self-live, 30 short video, 40 store
    visitor_source       char(3)    NOT NULL,      -- PUB public, PRI private
    first_touch_campaign bigint,
    exclusive_flag       smallint   NOT NULL,      -- 1: a channel-exclusive product
    amount_fen           bigint     NOT NULL,
    after_sale_code      smallint   NOT NULL,      -- 0 none, 1 refunded, 2 returned, 3 refunded and returned
    shipping_insured_flag smallint  NOT NULL       -- 1: return shipping insured
);
CREATE INDEX trade_order_brand ON shop.trade_order (brand_sk, created_at);
CREATE INDEX dim_brand_no ON shop.dim_brand (brand_no, valid_to);   -- brand lookups by business key
