-- beltboard's seven contract tables as views over the source warehouse of source_postgresql.sql.
-- Run it as the warehouse's owner, then point beltboard at the schema:
--   python -m data_access check --url postgresql+psycopg://…/warehouse --schema beltboard
-- Each view names every contract column (../../../shared/WAREHOUSE.md) with its contract type:
-- money divided into yuan as DECIMAL, codes spelled as the contract's words (a code without a CASE
-- branch becomes NULL, which `check` reports), flags as booleans. Codes, units and history are
-- mapped here once; the dashboard reads only these views.
CREATE SCHEMA beltboard;

CREATE VIEW beltboard.industry_belts AS
SELECT c.cluster_code AS belt_id,
       c.title_cn     AS name_zh,
       c.title_en     AS name_en,
       c.province_en  AS province,
       c.city_en      AS city,
       CASE c.lead_category_code
           WHEN 1 THEN 'apparel' WHEN 2 THEN 'food' WHEN 3 THEN 'beauty' WHEN 4 THEN 'home'
           WHEN 5 THEN 'electronics' WHEN 6 THEN 'mother_baby' WHEN 7 THEN 'jewelry' WHEN 8 THEN 'agri'
       END AS main_category
FROM shop.region_cluster c;

CREATE VIEW beltboard.providers AS
SELECT p.partner_no       AS provider_id,
       p.partner_name     AS name,
       p.province_en      AS province,
       CASE p.partner_kind WHEN 'AG' THEN 'agency' WHEN 'MC' THEN 'mcn' WHEN 'SC' THEN 'supply_chain' END
                          AS provider_type,
       p.programme_joined AS joined_on,
       p.live_ops_headcount AS live_ops_experts
FROM shop.partner p;

-- One row per brand: its current version's attributes, onboarded on its first version's day.
CREATE VIEW beltboard.brands AS
SELECT cur.brand_no   AS brand_id,
       cur.brand_name AS name,
       cur.cluster_code AS belt_id,
       CASE cur.category_code
           WHEN 1 THEN 'apparel' WHEN 2 THEN 'food' WHEN 3 THEN 'beauty' WHEN 4 THEN 'home'
           WHEN 5 THEN 'electronics' WHEN 6 THEN 'mother_baby' WHEN 7 THEN 'jewelry' WHEN 8 THEN 'agri'
       END AS category,
       CASE cur.segment_code WHEN 1 THEN 'new' WHEN 2 THEN 'belt_upgrade' WHEN 3 THEN 'established'
                             WHEN 4 THEN 'luxury' END AS brand_type,
       CASE cur.operated_by WHEN 'P' THEN 'platform' WHEN 'S' THEN 'provider' END AS managed_by,
       firsts.onboarded_on,
       CAST(cur.offsite_gmv_fen / 100.0 AS DECIMAL(16, 2)) AS offsite_gmv_cny
FROM shop.dim_brand cur
JOIN (SELECT brand_no, MIN(valid_from) AS onboarded_on FROM shop.dim_brand GROUP BY brand_no) firsts
  ON firsts.brand_no = cur.brand_no
WHERE cur.valid_to IS NULL;

CREATE VIEW beltboard.provider_assignments AS
SELECT l.brand_no AS brand_id, l.partner_no AS provider_id, l.served_from AS start_on, l.served_to AS end_on
FROM shop.brand_partner_link l;

CREATE VIEW beltboard.steps_milestones AS
SELECT s.brand_no AS brand_id, s.step_no AS step, s.began_on AS started_on, s.achieved_on AS completed_on
FROM shop.brand_step_progress s;

CREATE VIEW beltboard.campaigns AS
SELECT a.campaign_no AS campaign_id,
       a.brand_no    AS brand_id,
       a.partner_no  AS provider_id,
       a.launch_day  AS start_on,
       CAST(a.spend_fen / 100.0 AS DECIMAL(14, 2)) AS spend_cny,
       CASE a.goal_code WHEN 1 THEN 'live' WHEN 2 THEN 'short_video' WHEN 3 THEN 'store' END AS objective
FROM shop.ad_campaign a;

-- Orders point at a brand version (brand_sk); the contract wants the brand (brand_no).
CREATE VIEW beltboard.orders AS
SELECT o.order_no   AS order_id,
       b.brand_no   AS brand_id,
       o.buyer_no   AS buyer_id,
       o.created_at AS ordered_at,
       CASE o.channel_code WHEN 10 THEN 'distribution' WHEN 20 THEN 'self_live' WHEN 30 THEN 'short_video'
                           WHEN 40 THEN 'store' END AS channel,
       CASE o.visitor_source WHEN 'PUB' THEN 'public' WHEN 'PRI' THEN 'private' END AS traffic_source,
       o.first_touch_campaign AS campaign_id,
       o.exclusive_flag = 1   AS channel_exclusive,
       CAST(o.amount_fen / 100.0 AS DECIMAL(12, 2)) AS gmv_cny,
       o.after_sale_code IN (1, 3) AS refunded,
       o.after_sale_code IN (2, 3) AS returned,
       o.shipping_insured_flag = 1 AS return_shipping_insured
FROM shop.trade_order o
JOIN shop.dim_brand b ON b.brand_sk = o.brand_sk;
