-- noa demo report: what noa says about the bundled demo data (noa_demo.*).
-- Run by scripts/demo.sh after demo/generate.sql.
\pset footer off
\pset null '-'
SET extra_float_digits = 0;

\echo
\echo '================================================================================'
\echo ' noa demo: 2 years of daily spend, 40 campaigns on 5 platforms, EUR'
\echo '================================================================================'
SELECT noa.version() AS "engine";
SELECT count(*) AS rows, count(DISTINCT campaign_id) AS campaigns, count(DISTINCT platform) AS platforms,
	min(date_day) AS first_day, max(date_day) AS last_day, round(sum(spend)) AS total_spend_eur
FROM noa_demo.ad_spend;

-- One fitted curve per campaign, kept for every section below.
CREATE TEMP TABLE demo_curves AS
SELECT a.campaign_id, min(a.platform) AS platform, min(a.campaign_role) AS campaign_role,
	noa.fit_curve(a.spend::float8, a.conversions::float8) AS curve,
	-- value of one conversion (EUR), from the platform's own conversion value
	sum(a.conversions_value) / nullif(sum(a.conversions), 0) AS value_per_conversion,
	-- current spend: mean daily spend over the last 28 days
	avg(a.spend) FILTER (WHERE a.date_day > (SELECT max(date_day) FROM noa_demo.ad_spend) - 28) AS current_spend
FROM noa_demo.ad_spend a
GROUP BY a.campaign_id;

\echo
\echo '--- 1. Response curves: what the next euro returns (revenue per EUR at current daily spend) ---'
\echo '    marginal ROAS < 1: the last euro of the day returns less than a euro of revenue.'
\echo '    break-even: the daily spend at which marginal ROAS falls to 1.'
SELECT c.campaign_id, c.platform, c.campaign_role AS role, s.model || '/' || s.status AS fit, s.n,
	round(s.r2::numeric, 2) AS r2,
	round(c.current_spend, 0) AS spend_per_day,
	round(noa.marginal_roas(c.curve, c.current_spend::float8, c.value_per_conversion::float8)::numeric, 2) AS mroas,
	round(noa.marginal_roas_lo(c.curve, c.current_spend::float8, c.value_per_conversion::float8)::numeric, 2) AS mroas_lo,
	round(noa.marginal_roas_hi(c.curve, c.current_spend::float8, c.value_per_conversion::float8)::numeric, 2) AS mroas_hi,
	round(s.breakeven_spend, 0) AS breakeven_per_day,
	coalesce(s.breakeven_note, CASE WHEN s.at_bound THEN 'saturation point not visible in the data' END) AS note
FROM demo_curves c, noa.curve_summary(c.curve, 1, coalesce(c.value_per_conversion, 1)::float8) s
ORDER BY mroas NULLS LAST, c.campaign_id;
