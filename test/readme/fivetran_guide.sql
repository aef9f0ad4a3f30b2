-- The "bring your own tables" guide of README.md, checked on what it built:
-- scripts/test.sh runs README's SQL blocks first (the mapping table
-- marketing.campaign_map and the view marketing.stg_ad_spend over the
-- Fivetran-shaped copy made by examples/fivetran/demo_copy.sql), then this.
-- With the mapping, noa's findings equal those on the demo table; without it,
-- awareness campaigns are judged on conversions; a campaign missing from the
-- mapping says so on its row.
BEGIN;
SELECT plan(10);

CREATE TEMP TABLE w_demo AS SELECT * FROM noa.waste('noa_demo.ad_spend', as_of => '2025-12-31');
CREATE TEMP TABLE w_view AS SELECT * FROM noa.waste('marketing.stg_ad_spend', as_of => '2025-12-31');
CREATE TEMP TABLE w_raw  AS SELECT * FROM noa.waste('ad_reporting.ad_reporting__campaign_report', as_of => '2025-12-31');
CREATE TEMP TABLE r_demo AS SELECT * FROM noa.recommendations('noa_demo.ad_spend', as_of => '2025-12-31');
CREATE TEMP TABLE r_view AS SELECT * FROM noa.recommendations('marketing.stg_ad_spend', as_of => '2025-12-31');
CREATE TEMP TABLE aware AS
SELECT DISTINCT campaign_id FROM noa_demo.ad_spend WHERE campaign_role = 'awareness';

SELECT is((SELECT count(*) FROM marketing.stg_ad_spend WHERE campaign_role = 'unmapped'), 0::bigint,
	'the mapping covers every campaign of the Fivetran-shaped copy');
SELECT is((SELECT count(*) FROM marketing.stg_ad_spend), (SELECT count(*) FROM noa_demo.ad_spend),
	'the staging view has as many rows as the demo table');

-- With the mapping: the same findings, row for row (awareness campaigns included).
SELECT set_eq('SELECT * FROM w_view WHERE campaign_id IN (SELECT campaign_id FROM aware)',
              'SELECT * FROM w_demo WHERE campaign_id IN (SELECT campaign_id FROM aware)',
	'noa.waste: awareness campaigns get the same rows on the view as on the demo table');
SELECT set_eq('SELECT * FROM r_view WHERE campaign_id IN (SELECT campaign_id FROM aware)
	       OR from_campaign IN (SELECT campaign_id FROM aware) OR to_campaign IN (SELECT campaign_id FROM aware)',
              'SELECT * FROM r_demo WHERE campaign_id IN (SELECT campaign_id FROM aware)
	       OR from_campaign IN (SELECT campaign_id FROM aware) OR to_campaign IN (SELECT campaign_id FROM aware)',
	'noa.recommendations: awareness campaigns get the same rows on the view as on the demo table');
SELECT set_eq('SELECT * FROM w_view', 'SELECT * FROM w_demo', 'noa.waste: every row equal');
SELECT set_eq('SELECT * FROM r_view', 'SELECT * FROM r_demo', 'noa.recommendations: every row equal');
SELECT is((SELECT count(*) FROM r_view WHERE action IN ('cut', 'cap_spend')
	AND campaign_id IN (SELECT campaign_id FROM aware)), 0::bigint,
	'with the mapping no awareness campaign is cut or capped');

-- Without the mapping: 9 of the 10 awareness campaigns judged past break-even on
-- conversions (noa.recommendations turns these rows into cap_spend rows of the same amount).
SELECT results_eq(
	$$SELECT count(*), sum(spend_at_stake), min(kpi), max(kpi) FROM w_raw
	  WHERE waste_type = 'past_breakeven' AND campaign_id IN (SELECT campaign_id FROM aware)$$,
	$$VALUES (9::bigint, 299492.26::numeric, 'conversions'::text, 'conversions'::text)$$,
	'without the mapping 9 awareness campaigns are past break-even on conversions, 299,492.26 EUR at stake');

-- A campaign missing from the mapping: judged on conversions, and the row says "unmapped".
CREATE TEMP TABLE partial_map AS SELECT * FROM marketing.campaign_map WHERE campaign_id <> 'fb-de-03';
CREATE TEMP VIEW partial_stg AS
SELECT r.date_day, r.platform, r.account_id, r.campaign_id, r.campaign_name,
       coalesce(m.campaign_role, 'unmapped') AS campaign_role, m.geo, m.currency,
       r.spend, r.impressions, r.clicks, r.conversions, r.conversions_value
FROM ad_reporting.ad_reporting__campaign_report AS r
LEFT JOIN partial_map AS m USING (platform, campaign_id);
SELECT results_eq(
	$$SELECT waste_type, campaign_role, kpi FROM noa.waste('partial_stg', as_of => '2025-12-31')
	  WHERE campaign_id = 'fb-de-03'$$,
	$$VALUES ('past_breakeven'::text, 'unmapped'::text, 'conversions'::text)$$,
	'an awareness campaign missing from the mapping is judged on conversions and its row says unmapped');
SELECT results_eq(
	$$SELECT check_name, severity, platform FROM noa.data_quality('partial_stg', as_of => '2025-12-31')
	  WHERE check_name = 'missing_currency'$$,
	$$VALUES ('missing_currency'::text, 'warning'::text, 'facebook_ads'::text)$$,
	'its rows without a currency raise missing_currency');

SELECT * FROM finish();
ROLLBACK;
