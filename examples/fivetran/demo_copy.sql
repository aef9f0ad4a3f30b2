-- A Fivetran-shaped copy of the demo: the columns of Fivetran's dbt package
-- ad_reporting (model ad_reporting__campaign_report), which has no campaign
-- role, geo or currency.  Lets the "bring your own tables" guide in README.md
-- run on the demo data.  Run after demo/generate.sql:
--     psql -f examples/fivetran/demo_copy.sql
CREATE SCHEMA ad_reporting;

CREATE TABLE ad_reporting.ad_reporting__campaign_report AS
SELECT 'demo'::text         AS source_relation,
       date_day,
       platform,
       account_id,
       account_id           AS account_name,
       campaign_id,
       campaign_name,
       clicks,
       impressions,
       spend,
       conversions,
       conversions_value
FROM noa_demo.ad_spend
ORDER BY date_day, platform, campaign_id;
