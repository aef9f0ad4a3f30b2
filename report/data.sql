-- report/data.sql: noa's rows behind the HTML report, printed as one JSON
-- document for report/render.py.  Run by scripts/report.sh as
--   psql -At -v source=SCHEMA.TABLE -v business=SCHEMA.TABLE -v as_of=YYYY-MM-DD [-v models=TABLE] -f report/data.sql
-- The source table has the documented layout (Fivetran ad_reporting column
-- names plus campaign_role, geo, currency); business and as_of may be empty
-- (no shop table; the last day of the source); models, when set, names KPI
-- models already fitted to reuse (see report/kpi_model.sql).  Everything shown is a row of
-- one of noa's functions; this script only gathers them.
\set ON_ERROR_STOP on
\set QUIET on
\pset format unaligned
\pset tuples_only on
\pset null ''
SET client_min_messages = warning;
SET extra_float_digits = 1;

\if :{?models}
\else
\set models ''
\endif
SELECT :'source'::regclass::text AS src, coalesce(nullif(:'business', '')::regclass::text, '') AS biz \gset
-- (an empty source table stops here, with that message in the error)
SELECT coalesce(nullif(:'as_of', '')::date, (SELECT max(date_day) FROM :src),
	format('no rows in %s: nothing to report', :'src')::date) AS as_of \gset

-- Per campaign (and geo): the curve noa.waste and noa.recommendations use, on
-- the KPI of the campaign's role, with its current daily spend and the value
-- of one unit of KPI.
CREATE TEMP TABLE r_state AS
SELECT s.*, s.curve::noa.curve AS c
FROM noa._campaign_state(:'src'::regclass, :'as_of'::date, 28, 'hill', 'date_day', 'platform', 'campaign_id',
	'spend', 'impressions', 'clicks', 'conversions', 'conversions_value', 'campaign_role', 'geo', 'currency',
	'the noa report') s;

CREATE TEMP TABLE r_alarms AS
SELECT * FROM noa.data_quality(:'src'::regclass, business => nullif(:'biz', '')::regclass, as_of => :'as_of'::date);

CREATE TEMP TABLE r_waste AS
SELECT * FROM noa.waste(:'src'::regclass, as_of => :'as_of'::date);

CREATE TEMP TABLE r_plan AS
SELECT * FROM noa.recommendations(:'src'::regclass, business => nullif(:'biz', '')::regclass, as_of => :'as_of'::date);

-- Each campaign's spend per day once the plan is carried out: cuts, caps and
-- moves out lower it, moves in, scale-ups and tests raise it.
CREATE TEMP TABLE r_moves AS
SELECT campaign_id, sum(delta) AS delta_per_day
FROM (SELECT p.campaign_id, CASE WHEN p.action IN ('cut', 'cap_spend') THEN -p.amount_per_day ELSE p.amount_per_day END
      FROM r_plan p WHERE p.action IN ('cut', 'cap_spend', 'scale_up', 'test_first')
      UNION ALL SELECT p.from_campaign, -p.amount_per_day FROM r_plan p WHERE p.action = 'shift_budget'
      UNION ALL SELECT p.to_campaign, p.amount_per_day FROM r_plan p WHERE p.action = 'shift_budget') m(campaign_id, delta)
GROUP BY campaign_id;

CREATE TEMP TABLE r_campaigns AS
SELECT s.platform, s.campaign_id, s.geo, s.campaign_role, s.kpi, s.currency, s.c, s.n_days,
	s.current_spend, coalesce(s.value_per_unit, 1) AS value_per_unit, s.value_per_unit IS NOT NULL AS valued,
	greatest(s.current_spend + coalesce(m.delta_per_day, 0), 0) AS recommended_spend,
	m.delta_per_day IS NOT NULL AS in_plan,
	noa.curve_status(s.c) AS status,
	noa.marginal_roas(s.c, s.current_spend, coalesce(s.value_per_unit, 1)) AS mroas_now,
	noa.marginal_roas_lo(s.c, s.current_spend, coalesce(s.value_per_unit, 1)) AS mroas_lo,
	noa.marginal_roas_hi(s.c, s.current_spend, coalesce(s.value_per_unit, 1)) AS mroas_hi,
	CASE WHEN s.value_per_unit IS NOT NULL THEN noa.breakeven_spend(s.c, 1, s.value_per_unit) END AS breakeven_spend,
	(s.c::jsonb ->> 'x_max')::float8 AS observed_max
FROM r_state s LEFT JOIN r_moves m ON m.campaign_id = s.campaign_id;

-- The chart's spend axis: the observed range and every marker, with room.
ALTER TABLE r_campaigns ADD COLUMN chart_max float8;
UPDATE r_campaigns SET chart_max = 1.1 * greatest(observed_max, current_spend, recommended_spend,
	least(coalesce(breakeven_spend, 0), 3 * observed_max));

-- The points of every curve from one query: the function reads each row's
-- curve; no LATERAL keyword is needed.
CREATE TEMP TABLE r_points AS
SELECT r.platform, r.campaign_id, r.geo, p.*
FROM r_campaigns r, noa.curve_points(r.c, r.chart_max, 40, 0.9, r.value_per_unit) p;

-- The KPI model's section (noa's model of the business KPI; not in every
-- version of noa): the KPI per day split into components (a stacked area),
-- each platform's incrementality factor, the campaigns whose action changes
-- when the plan is valued on incremental value, and the backtest of the last
-- 28 days.  report/kpi_model.sql fills these tables and sets kpi_name, only
-- when the model's functions are in the catalog and a business table is
-- given; otherwise the report leaves the section out.
CREATE TEMP TABLE r_kpi_decomposition (day date, component text, component_order integer, value float8);
CREATE TEMP TABLE r_kpi_channels (channel text, reported float8, incremental float8,
	factor float8, factor_lo float8, factor_hi float8);
CREATE TEMP TABLE r_plan_incremental AS SELECT * FROM r_plan WHERE false;
CREATE TEMP TABLE r_plan_changes (campaign_id text, on_platform_reports text, platform_experiment text,
	platform_test_days integer, on_incremental_value text, factor float8, factor_lo float8, factor_hi float8,
	experiment text, test_days integer);
CREATE TEMP TABLE r_backtest (geo text, day date, predicted float8, predicted_lo float8, predicted_hi float8,
	actual float8, abs_pct_error float8, coverage float8, problem text);
\set kpi_name ''
SELECT :'biz' <> '' AND (SELECT count(DISTINCT proname) = 4 FROM pg_proc WHERE pronamespace = 'noa'::regnamespace
	AND proname IN ('fit_kpi_model', 'kpi_model_decomposition', 'incrementality_by', 'kpi_model_backtest'))
	AND EXISTS (SELECT FROM pg_proc WHERE pronamespace = 'noa'::regnamespace AND proname = 'recommendations'
		AND 'incrementality' = ANY (proargnames)) AS show_kpi_model \gset
\if :show_kpi_model
\ir kpi_model.sql
\endif

SELECT json_build_object(
	'source', :'src',
	'business', nullif(:'biz', ''),
	'as_of', :'as_of'::date,
	'generated_by', noa.version(),
	'overview', (SELECT json_build_object('campaigns', count(*), 'platforms', count(DISTINCT platform),
			'currency', CASE WHEN count(DISTINCT currency) = 1 THEN min(currency) END,
			'spend_per_day', sum(current_spend), 'recommended_per_day', sum(recommended_spend))
		FROM r_campaigns),
	'campaigns', (SELECT json_agg(json_build_object('platform', r.platform, 'campaign_id', r.campaign_id,
			'geo', r.geo, 'role', r.campaign_role, 'kpi', r.kpi, 'currency', r.currency, 'status', r.status,
			'n_days', r.n_days, 'valued', r.valued, 'value_per_unit', r.value_per_unit,
			'current_spend', r.current_spend, 'recommended_spend', r.recommended_spend, 'in_plan', r.in_plan,
			'breakeven_spend', r.breakeven_spend, 'observed_max', r.observed_max,
			'observed_min', (r.c::jsonb ->> 'x_min')::float8,
			'mroas_now', r.mroas_now, 'mroas_lo', r.mroas_lo, 'mroas_hi', r.mroas_hi,
			'points', (SELECT json_agg(json_build_array(p.spend, p.response, p.response_lo, p.response_hi, p.in_observed_range)
			                           ORDER BY p.point_no)
			           FROM r_points p WHERE p.platform = r.platform AND p.campaign_id = r.campaign_id
			             AND p.geo IS NOT DISTINCT FROM r.geo))
		ORDER BY r.platform, r.campaign_id, r.geo) FROM r_campaigns r),
	'alarms', (SELECT json_agg(a) FROM r_alarms a),
	'waste', (SELECT json_agg(w) FROM r_waste w),
	'plan', (SELECT json_agg(p ORDER BY p.rank) FROM r_plan p),
	'kpi_model', CASE WHEN :'show_kpi_model'::boolean THEN json_build_object('kpi', :'kpi_name',
		'decomposition', (SELECT json_agg(json_build_object('day', d.day, 'component', d.component, 'value', d.value)
		                  ORDER BY d.day, d.component_order) FROM r_kpi_decomposition d),
		'channels', (SELECT json_agg(c ORDER BY c.channel) FROM r_kpi_channels c),
		'plan_changes', (SELECT json_agg(c ORDER BY c.campaign_id) FROM r_plan_changes c),
		'plan_incremental_totals', (SELECT json_agg(t ORDER BY t.valued_on DESC, t.action) FROM (
			SELECT 'platform' AS valued_on, action, count(*) AS rows, sum(amount) AS amount, sum(expected_effect) AS effect
			FROM r_plan WHERE action <> 'fix_tracking' GROUP BY action
			UNION ALL
			SELECT 'incremental', action, count(*), sum(amount), sum(expected_effect)
			FROM r_plan_incremental WHERE action <> 'fix_tracking' GROUP BY action) t),
		'backtest', (SELECT json_agg(json_build_object('geo', g.geo, 'problem', g.problem,
				'coverage', g.coverage, 'abs_pct_error', g.abs_pct_error,
				'predicted', g.predicted, 'actual', g.actual,
				'days', (SELECT json_agg(json_build_array(b.day, b.predicted, b.predicted_lo, b.predicted_hi, b.actual)
				                 ORDER BY b.day) FROM r_backtest b WHERE b.geo IS NOT DISTINCT FROM g.geo AND b.day IS NOT NULL))
			ORDER BY g.geo)
			FROM r_backtest g WHERE g.day IS NULL)) END);
