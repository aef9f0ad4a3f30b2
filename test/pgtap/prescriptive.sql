-- API contract of the prescriptive layer: noa.waste, noa.recommendations and
-- their internal helper noa._campaign_state — exact signatures, result
-- columns and types, labels, pinned search_path, error codes, and a small
-- behavioural check on a table with a known answer.
BEGIN;
SELECT plan(57);

-- ---------------------------------------------------------------------------
-- Signatures
-- ---------------------------------------------------------------------------
SELECT has_function('noa', 'waste',
	ARRAY['regclass', 'double precision', 'double precision', 'integer', 'date', 'text', 'text', 'text', 'text',
	      'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'double precision', 'regclass', 'text'],
	'noa.waste(source, target_mroas, level, window_days, as_of, 11 column names, model, saturation_share, incrementality, incrementality_by)');
SELECT has_function('noa', 'recommendations',
	ARRAY['regclass', 'numeric', 'regclass', 'double precision', 'double precision', 'integer', 'date',
	      'double precision', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text',
	      'text', 'text', 'text', 'text', 'text', 'text', 'regclass', 'text'],
	'noa.recommendations(source, budget, business, target_mroas, level, window_days, as_of, max_change, group_min_share, 14 column names, model, incrementality, incrementality_by)');
SELECT has_function('noa', '_campaign_state',
	ARRAY['regclass', 'date', 'integer', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text',
	      'text', 'text', 'text', 'text'],
	'internal helper noa._campaign_state exists');
SELECT is((SELECT count(*)::int FROM pg_proc WHERE pronamespace = 'noa'::regnamespace
	AND proname IN ('waste', 'recommendations', '_campaign_state')), 3, 'one overload each (no ambiguous calls)');

-- Argument names and defaults that BI tools and dbt call by name.
SELECT is((SELECT proargnames[1:5]::text[] FROM pg_proc WHERE oid = 'noa.waste'::regproc),
	ARRAY['source', 'target_mroas', 'level', 'window_days', 'as_of'], 'waste: leading argument names');
SELECT is((SELECT proargnames[1:9]::text[] FROM pg_proc WHERE oid = 'noa.recommendations'::regproc),
	ARRAY['source', 'budget', 'business', 'target_mroas', 'level', 'window_days', 'as_of', 'max_change', 'group_min_share'],
	'recommendations: leading argument names');
SELECT is((SELECT pronargdefaults::int FROM pg_proc WHERE oid = 'noa.waste'::regproc), 19, 'waste: every argument but source has a default');
SELECT is((SELECT pronargdefaults::int FROM pg_proc WHERE oid = 'noa.recommendations'::regproc), 25,
	'recommendations: every argument but source has a default');
SELECT is((SELECT pg_get_function_arguments(oid) ~ 'target_mroas double precision DEFAULT 1(\.0)?\M'
	AND pg_get_function_arguments(oid) ~ 'level double precision DEFAULT 0\.9'
	AND pg_get_function_arguments(oid) ~ 'window_days integer DEFAULT 28'
	AND pg_get_function_arguments(oid) ~ 'role_col text DEFAULT ''campaign_role''::text'
	AND pg_get_function_arguments(oid) ~ 'model text DEFAULT ''hill''::text'
	FROM pg_proc WHERE oid = 'noa.waste'::regproc), true, 'waste: documented defaults');
SELECT is((SELECT pg_get_function_arguments(oid) ~ 'budget numeric DEFAULT NULL'
	AND pg_get_function_arguments(oid) ~ 'max_change double precision DEFAULT 0\.5'
	AND pg_get_function_arguments(oid) ~ 'business_revenue_col text DEFAULT ''revenue''::text'
	FROM pg_proc WHERE oid = 'noa.recommendations'::regproc), true, 'recommendations: documented defaults');

-- ---------------------------------------------------------------------------
-- Result columns: names, order and BI-friendly types
-- ---------------------------------------------------------------------------
CREATE FUNCTION pg_temp.out_cols(f regproc) RETURNS text[] LANGUAGE sql AS $$
	SELECT array_agg(n || ' ' || format_type(t, NULL) ORDER BY o)
	FROM pg_proc p, unnest(p.proargnames, p.proallargtypes, p.proargmodes::text[]) WITH ORDINALITY AS a(n, t, m, o)
	WHERE p.oid = f AND m = 't'
$$;
SELECT is(pg_temp.out_cols('noa.waste'), ARRAY[
	'waste_type text', 'platform text', 'campaign_id text', 'geo text', 'campaign_role text', 'kpi text',
	'period_start date', 'period_end date', 'current_spend_per_day numeric', 'threshold_spend_per_day numeric',
	'threshold_lo numeric', 'threshold_hi numeric', 'spend_at_stake numeric', 'spend_at_stake_lo numeric',
	'spend_at_stake_hi numeric', 'value_lost numeric', 'value_lost_lo numeric', 'value_lost_hi numeric',
	'marginal_roas double precision', 'marginal_roas_lo double precision', 'marginal_roas_hi double precision',
	'currency text', 'confidence text', 'explanation text', 'value_source text', 'incrementality_factor double precision',
	'incrementality_factor_lo double precision', 'incrementality_factor_hi double precision'], 'waste: result columns');
SELECT is(pg_temp.out_cols('noa.recommendations'), ARRAY[
	'rank integer', 'action text', 'platform text', 'campaign_id text', 'geo text', 'from_campaign text',
	'to_campaign text', 'amount numeric', 'amount_per_day numeric', 'expected_effect numeric',
	'expected_effect_lo numeric', 'expected_effect_hi numeric', 'currency text', 'period_start date',
	'period_end date', 'test_days integer', 'confidence text', 'reason text', 'explanation text', 'experiment text',
	'value_source text', 'incrementality_factor double precision', 'incrementality_factor_lo double precision',
	'incrementality_factor_hi double precision'],
	'recommendations: result columns');
SELECT is((SELECT count(*)::int FROM pg_proc p, unnest(p.proallargtypes, p.proargmodes) AS a(t, m)
	WHERE p.oid IN ('noa.waste'::regproc, 'noa.recommendations'::regproc, 'noa._campaign_state'::regproc)
	AND m = 't' AND t NOT IN ('text'::regtype, 'integer'::regtype, 'bigint'::regtype, 'numeric'::regtype,
		'double precision'::regtype, 'date'::regtype, 'boolean'::regtype)), 0,
	'only text/int/numeric/float8/date/boolean result columns');
SELECT is((SELECT count(*)::int FROM pg_proc p, unnest(p.proargtypes::oid[]) AS a(t)
	WHERE p.oid IN ('noa.waste'::regproc, 'noa.recommendations'::regproc)
	AND t NOT IN ('text'::regtype, 'integer'::regtype, 'numeric'::regtype, 'double precision'::regtype,
		'date'::regtype, 'regclass'::regtype)), 0, 'only regclass/text/int/numeric/float8/date arguments');

-- ---------------------------------------------------------------------------
-- Labels
-- ---------------------------------------------------------------------------
SELECT volatility_is('noa', 'waste', ARRAY['regclass', 'double precision', 'double precision', 'integer', 'date',
	'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'double precision',
	'regclass', 'text'],
	'stable', 'waste is STABLE');
SELECT is((SELECT string_agg(proname, ',' ORDER BY proname) FROM pg_proc WHERE pronamespace = 'noa'::regnamespace
	AND proname IN ('waste', 'recommendations', '_campaign_state') AND provolatile <> 's'), NULL, 'all three are STABLE');
SELECT is((SELECT string_agg(proname, ',' ORDER BY proname) FROM pg_proc WHERE pronamespace = 'noa'::regnamespace
	AND proname IN ('waste', 'recommendations', '_campaign_state') AND prosecdef), NULL, 'none is SECURITY DEFINER');
SELECT is((SELECT string_agg(proname, ',' ORDER BY proname) FROM pg_proc WHERE pronamespace = 'noa'::regnamespace
	AND proname IN ('waste', 'recommendations', '_campaign_state')
	AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (proconfig), false)), NULL,
	'all three pin search_path = pg_catalog, pg_temp');
SELECT is((SELECT string_agg(proname || '=' || proparallel::text, ',' ORDER BY proname) FROM pg_proc
	WHERE pronamespace = 'noa'::regnamespace AND proname IN ('waste', 'recommendations', '_campaign_state')),
	'_campaign_state=r,recommendations=u,waste=u',
	'the helper is PARALLEL RESTRICTED (it may read temporary tables); waste and recommendations UNSAFE (EXCEPTION blocks)');
SELECT is((SELECT string_agg(proname, ',' ORDER BY proname) FROM pg_proc WHERE pronamespace = 'noa'::regnamespace
	AND proname IN ('waste', 'recommendations', '_campaign_state') AND proisstrict), NULL,
	'none is STRICT (NULL arguments get a clear error or mean "off")');
SELECT is((SELECT string_agg(proname, ',' ORDER BY proname) FROM pg_proc WHERE pronamespace = 'noa'::regnamespace
	AND proname IN ('waste', 'recommendations', '_campaign_state') AND NOT proretset), NULL, 'all three return sets');
SELECT is((SELECT string_agg(p.proname, ',' ORDER BY p.proname) FROM pg_proc p WHERE p.pronamespace = 'noa'::regnamespace
	AND p.proname IN ('waste', 'recommendations', '_campaign_state') AND obj_description(p.oid, 'pg_proc') IS NULL), NULL,
	'all three have a COMMENT');
SELECT is((SELECT count(*)::int FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
	AND d.objid IN ('noa.waste'::regproc, 'noa.recommendations'::regproc, 'noa._campaign_state'::regproc)
	AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'noa')), 3, 'all three are members of the extension');
SELECT is((SELECT count(*)::int FROM pg_proc WHERE pronamespace = 'noa'::regnamespace
	AND proname IN ('waste', 'recommendations', '_campaign_state') AND prosrc ~* '(insert|update|delete|truncate|create|drop|alter)\s+(into|table|from|index)'),
	0, 'no write statement in any body');

-- ---------------------------------------------------------------------------
-- Error codes
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE tap_ads (date_day date, platform text, campaign_id text, campaign_role text, geo text,
	currency text, spend numeric, impressions bigint, clicks bigint, conversions numeric, conversions_value numeric);
-- one campaign far past its break-even (true break-even 474.6 a day), deterministic spend
INSERT INTO tap_ads
SELECT '2025-01-01'::date + t, 'meta', 'c1', 'conversion', 'FR', 'EUR', sp, round(sp * 100), round(sp),
	round((40 * sp / (sp + 300) + 0.8 * sin(t * 2.1))::numeric, 2),
	round((50 * (40 * sp / (sp + 300) + 0.8 * sin(t * 2.1)))::numeric, 2)
FROM generate_series(0, 199) AS t, LATERAL (SELECT round((1200 * exp(0.35 * sin(t * 0.7) + 0.2 * cos(t * 1.3)))::numeric, 2) AS sp) s;
CREATE TEMP SEQUENCE tap_seq;

SELECT throws_ok($$SELECT * FROM noa.waste(NULL)$$, '22004', NULL, 'waste: NULL source is 22004');
SELECT throws_ok($$SELECT * FROM noa.waste('tap_ads', target_mroas => 0)$$, '22023', NULL, 'waste: target_mroas 0 is 22023');
SELECT throws_ok($$SELECT * FROM noa.waste('tap_ads', target_mroas => 'Infinity')$$, '22023', NULL, 'waste: infinite target is 22023');
SELECT throws_ok($$SELECT * FROM noa.waste('tap_ads', level => 1.5)$$, '22023', NULL, 'waste: level 1.5 is 22023');
SELECT throws_ok($$SELECT * FROM noa.waste('tap_ads', window_days => -1)$$, '22023', NULL, 'waste: negative window is 22023');
SELECT throws_ok($$SELECT * FROM noa.waste('tap_ads', as_of => '-infinity')$$, '22023', NULL, 'waste: infinite as_of is 22023');
SELECT throws_ok($$SELECT * FROM noa.waste('tap_ads', model => 'spline')$$, '22023', NULL, 'waste: unknown model is 22023');
SELECT throws_ok($$SELECT * FROM noa.waste('tap_ads', spend_col => 'cost')$$, '42703', NULL, 'waste: missing column is 42703');
SELECT throws_ok($$SELECT * FROM noa.waste('tap_ads', currency_col => 'ccy')$$, '42703', NULL, 'waste: a missing optional column named explicitly is 42703');
SELECT throws_ok($$SELECT * FROM noa.waste('tap_ads', campaign_col => NULL)$$, '22004', NULL, 'waste: required column NULL is 22004');
SELECT throws_ok($$SELECT * FROM noa.waste('tap_ads', conversions_col => 'platform')$$, '42804', NULL, 'waste: text KPI column is 42804');
SELECT throws_ok($$SELECT * FROM noa.waste('tap_seq')$$, '42809', NULL, 'waste: a sequence is 42809');
SELECT throws_ok($$SELECT * FROM noa.recommendations(NULL)$$, '22004', NULL, 'recommendations: NULL source is 22004');
SELECT throws_ok($$SELECT * FROM noa.recommendations('tap_ads', budget => -1)$$, '22023', NULL, 'recommendations: negative budget is 22023');
SELECT throws_ok($$SELECT * FROM noa.recommendations('tap_ads', budget => 'NaN')$$, '22023', NULL, 'recommendations: NaN budget is 22023');
SELECT throws_ok($$SELECT * FROM noa.recommendations('tap_ads', max_change => 0)$$, '22023', NULL, 'recommendations: max_change 0 is 22023');
SELECT throws_ok($$SELECT * FROM noa.recommendations('tap_ads', level => 0)$$, '22023', NULL, 'recommendations: level 0 is 22023');
SELECT throws_ok($$SELECT * FROM noa.recommendations('tap_ads', value_col => 'revenue')$$, '42703', NULL, 'recommendations: missing column is 42703');
SELECT throws_ok($$SELECT * FROM noa.recommendations('tap_ads', window_days => 0)$$, '22023', NULL, 'recommendations: window 0 is 22023');

-- ---------------------------------------------------------------------------
-- Behaviour on a table with a known answer
-- ---------------------------------------------------------------------------
SELECT lives_ok($$SELECT * FROM noa.waste('tap_ads')$$, 'waste runs on a temporary table');
SELECT is((SELECT string_agg(waste_type || ':' || campaign_id, ',') FROM noa.waste('tap_ads')), 'past_breakeven:c1',
	'the campaign past its break-even is found, nothing else');
SELECT ok((SELECT threshold_lo <= 474.6 AND 474.6 <= threshold_hi FROM noa.waste('tap_ads') WHERE waste_type = 'past_breakeven'),
	'its break-even interval covers the true 474.6 a day');
SELECT is((SELECT period_start || '..' || period_end FROM noa.waste('tap_ads')), '2025-06-22..2025-07-19',
	'the period is the last 28 days of the table');
SELECT ok((SELECT spend_at_stake = round(spend_at_stake, 2) AND value_lost > 0 AND currency = 'EUR' AND confidence = 'high'
	FROM noa.waste('tap_ads')), 'money in cents, a positive loss, the currency and a confidence bucket');
SELECT is((SELECT count(*)::int FROM noa.waste('tap_ads', target_mroas => 1e-3)), 0, 'a target it meets: no waste');
SELECT is((SELECT string_agg(action || ':' || coalesce(campaign_id, '-'), ',' ORDER BY rank)
	FROM noa.recommendations('tap_ads', as_of => '2025-07-19')), 'cap_spend:c1', 'the plan caps it');
SELECT ok((SELECT r.amount = w.spend_at_stake AND r.expected_effect = w.value_lost
	FROM noa.recommendations('tap_ads', as_of => '2025-07-19') r, noa.waste('tap_ads') w), 'the cap carries noa.waste''s figures');
SELECT is((SELECT string_agg(action || ':' || reason, ',' ORDER BY rank)
	FROM noa.recommendations('tap_ads', as_of => '2025-07-19', window_days => 7) WHERE action = 'fix_tracking'), NULL,
	'no data alarm on a clean table read up to its last day');
SELECT is((SELECT string_agg(action || ':' || reason, ',' ORDER BY rank)
	FROM noa.recommendations('tap_ads', as_of => '2025-08-31') WHERE action = 'fix_tracking'), 'fix_tracking:stale_data',
	'stale data is an alarm');
SELECT is((SELECT count(*)::int FROM noa.waste('tap_ads', window_days => 1, as_of => '2025-01-01')), 0,
	'a period on the first day only: no verdict without data before it');

-- ---------------------------------------------------------------------------
-- Edge tables: no error, no NaN or infinity in any result
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE tap_edge (date_day timestamptz, platform text, campaign_id text, spend float8, impressions float8,
	clicks float8, conversions float8, conversions_value float8, currency text);
INSERT INTO tap_edge
SELECT '2025-01-01'::date + t, 'p', c.id,
	CASE c.id WHEN 'const' THEN 100 WHEN 'huge' THEN 1e15 * (2 + sin(t)) WHEN 'tiny' THEN 1e-6 * (2 + sin(t))
	          WHEN 'nan' THEN 'NaN'::float8 ELSE 100 + 50 * sin(t) END,
	CASE c.id WHEN 'nan' THEN 'Infinity'::float8 ELSE 1000 END, 10,
	CASE c.id WHEN 'zero' THEN 0 WHEN 'huge' THEN 1e30 * (2 + sin(t)) / (3 + sin(t)) WHEN 'tiny' THEN 1e-9 * (2 + sin(t))
	          WHEN 'nan' THEN 'NaN'::float8 WHEN 'neg' THEN -1 ELSE 5 + sin(t) END,
	CASE c.id WHEN 'huge' THEN 1e35 WHEN 'nan' THEN '-Infinity'::float8 ELSE 50 END,
	CASE WHEN c.id = 'mixed' AND t % 2 = 1 THEN 'USD' ELSE 'EUR' END
FROM unnest(ARRAY['zero', 'const', 'huge', 'tiny', 'nan', 'neg', 'mixed']) AS c(id), generate_series(0, 99) AS t;
INSERT INTO tap_edge VALUES ('2025-04-01', 'p', 'two', 10, 1, 1, 1, 1, 'EUR'), ('2025-04-02', 'p', 'two', 20, 1, 1, 2, 2, 'EUR'),
	(NULL, 'p', 'nulls', NULL, NULL, NULL, NULL, NULL, NULL);
CREATE TEMP TABLE tap_edge_out (model text, nums text);
SELECT lives_ok($$INSERT INTO tap_edge_out
	SELECT m, concat_ws(' ', w.current_spend_per_day, w.threshold_spend_per_day, w.threshold_lo, w.threshold_hi,
	       w.spend_at_stake, w.spend_at_stake_lo, w.spend_at_stake_hi, w.value_lost, w.value_lost_lo, w.value_lost_hi,
	       w.marginal_roas, w.marginal_roas_lo, w.marginal_roas_hi)
	FROM unnest(ARRAY['hill', 'auto', 'linear', 'power', 'logistic']) AS m,
	     unnest(ARRAY[1e-3, 1, 1e3]::float8[]) AS tg,
	     LATERAL noa.waste('tap_edge', model => m, target_mroas => tg) AS w$$,
	'waste on edge data (constant, zero, huge, tiny, NaN, negative, mixed-currency campaigns) with every model');
SELECT lives_ok($$INSERT INTO tap_edge_out
	SELECT 'plan', concat_ws(' ', r.amount, r.amount_per_day, r.expected_effect, r.expected_effect_lo, r.expected_effect_hi)
	FROM unnest(ARRAY[NULL, 0, 1e9]::numeric[]) AS b,
	     LATERAL noa.recommendations('tap_edge', budget => b, as_of => '2025-04-10') AS r$$,
	'recommendations on the same edge data, with no, zero and a huge budget');
SELECT is((SELECT count(*)::int FROM tap_edge_out WHERE nums ~* '(nan|infinity)'), 0, 'no NaN or infinity in any number');

SELECT * FROM finish();
ROLLBACK;
