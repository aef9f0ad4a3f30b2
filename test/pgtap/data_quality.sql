BEGIN;
SELECT plan(26);

-- The API contract of noa.data_quality: signature, result columns and types,
-- labels, pinned search_path, and the error for a column that does not exist.

SELECT has_function('noa', 'data_quality',
	ARRAY['regclass', 'regclass', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text',
	      'text', 'text', 'text', 'text', 'date', 'integer'],
	'noa.data_quality has the documented signature');

SELECT is((SELECT count(*)::int FROM pg_proc WHERE proname = 'data_quality' AND pronamespace = 'noa'::regnamespace),
	1, 'noa.data_quality has no overloads');

SELECT is(pg_get_function_arguments('noa.data_quality(regclass, regclass, text, text, text, text, text, text, text, text, text, text, text, text, date, integer)'::regprocedure),
	'source regclass, business regclass DEFAULT NULL::regclass, date_col text DEFAULT ''date_day''::text, '
	'platform_col text DEFAULT ''platform''::text, campaign_col text DEFAULT ''campaign_id''::text, '
	'spend_col text DEFAULT ''spend''::text, impressions_col text DEFAULT ''impressions''::text, '
	'clicks_col text DEFAULT ''clicks''::text, conversions_col text DEFAULT ''conversions''::text, '
	'value_col text DEFAULT ''conversions_value''::text, currency_col text DEFAULT ''currency''::text, '
	'business_date_col text DEFAULT ''date_day''::text, business_orders_col text DEFAULT ''orders''::text, '
	'business_revenue_col text DEFAULT ''revenue''::text, as_of date DEFAULT NULL::date, '
	'max_staleness_days integer DEFAULT 3',
	'argument names and defaults (Fivetran ad_reporting column names)');

SELECT function_returns('noa', 'data_quality',
	ARRAY['regclass', 'regclass', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text',
	      'text', 'text', 'text', 'text', 'date', 'integer'],
	'setof record', 'returns a set of rows');

-- result columns, in order, with their types
SELECT is(
	(SELECT array_agg(n ORDER BY o) FROM unnest(p.proargnames, p.proargmodes::text[]) WITH ORDINALITY AS a(n, m, o) WHERE m = 't'),
	ARRAY['check_name', 'severity', 'platform', 'campaign_id', 'first_day', 'last_day', 'rows_affected',
	      'spend_affected', 'currency', 'explanation']::text[],
	'result column names')
FROM pg_proc p WHERE p.oid = 'noa.data_quality'::regproc;

SELECT is(
	(SELECT array_agg(format_type(t, NULL) ORDER BY o)
	 FROM unnest(p.proallargtypes, p.proargmodes::text[]) WITH ORDINALITY AS a(t, m, o) WHERE m = 't'),
	ARRAY['text', 'text', 'text', 'text', 'date', 'date', 'bigint', 'numeric', 'text', 'text'],
	'result column types: text, date, bigint and numeric only (BI-friendly)')
FROM pg_proc p WHERE p.oid = 'noa.data_quality'::regproc;

SELECT volatility_is('noa', 'data_quality',
	ARRAY['regclass', 'regclass', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text',
	      'text', 'text', 'text', 'text', 'date', 'integer'],
	'stable', 'noa.data_quality is STABLE');

SELECT isnt_definer('noa', 'data_quality',
	ARRAY['regclass', 'regclass', 'text', 'text', 'text', 'text', 'text', 'text', 'text', 'text',
	      'text', 'text', 'text', 'text', 'date', 'integer'],
	'noa.data_quality is not SECURITY DEFINER');

SELECT is(proparallel, 'u', 'noa.data_quality is PARALLEL UNSAFE (its EXCEPTION block keeps errors short)')
FROM pg_proc WHERE oid = 'noa.data_quality'::regproc;

SELECT is(proisstrict, false, 'noa.data_quality is not STRICT (business may be NULL)')
FROM pg_proc WHERE oid = 'noa.data_quality'::regproc;

SELECT ok('search_path=pg_catalog, pg_temp' = ANY (proconfig), 'search_path is pinned to pg_catalog, pg_temp')
FROM pg_proc WHERE oid = 'noa.data_quality'::regproc;

SELECT is(l.lanname, 'plpgsql', 'written in PL/pgSQL')
FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang WHERE p.oid = 'noa.data_quality'::regproc;

SELECT ok(obj_description('noa.data_quality'::regproc, 'pg_proc') IS NOT NULL, 'noa.data_quality has a comment');

SELECT ok(EXISTS (SELECT 1 FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
                  WHERE d.objid = 'noa.data_quality'::regproc AND e.extname = 'noa' AND d.deptype = 'e'),
	'noa.data_quality belongs to the extension');

SELECT ok(has_function_privilege('public', 'noa.data_quality'::regproc, 'EXECUTE'), 'anyone may call it');

-- A small table to call it on
CREATE TEMP TABLE tap_ads (date_day date, platform text, campaign_id text, spend numeric, impressions bigint,
	clicks bigint, conversions numeric, conversions_value numeric, currency text);
INSERT INTO tap_ads
SELECT '2025-01-01'::date + i, 'google_ads', 'c1', 500 + 10 * (i % 7), 50000, 1000, 10 + (i % 7) * 0.2, 500, 'EUR'
FROM generate_series(0, 59) AS i;

SELECT is_empty($$SELECT * FROM noa.data_quality('tap_ads', as_of => '2025-03-01')$$,
	'a clean table gives no rows');

SELECT throws_ok($$SELECT * FROM noa.data_quality('tap_ads', spend_col => 'cost')$$,
	'42703', NULL,
	'a missing column raises undefined_column (42703)');

SELECT throws_ok($$SELECT * FROM noa.data_quality('tap_ads', conversions_col => 'conv')$$,
	'42703', NULL, 'a missing optional column given by name raises 42703 too');

SELECT throws_ok($$SELECT * FROM noa.data_quality('tap_ads', 'tap_ads', business_orders_col => 'n_orders')$$,
	'42703', NULL, 'a missing business column raises 42703');

SELECT throws_ok($$SELECT * FROM noa.data_quality('tap_ads', date_col => NULL)$$,
	'22004', NULL, 'a NULL required column raises null_value_not_allowed (22004)');

SELECT throws_ok($$SELECT * FROM noa.data_quality('tap_ads', spend_col => 'platform')$$,
	'42804', NULL, 'a text spend column raises datatype_mismatch (42804)');

SELECT throws_ok($$SELECT * FROM noa.data_quality('tap_ads', max_staleness_days => -2)$$,
	'22023', NULL, 'a negative max_staleness_days raises invalid_parameter_value (22023)');

-- the hint names the override argument
CREATE FUNCTION pg_temp.hint_of(q text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE h text;
BEGIN
	EXECUTE q;
	RETURN NULL;
EXCEPTION WHEN undefined_column THEN
	GET STACKED DIAGNOSTICS h = PG_EXCEPTION_HINT;
	RETURN h;
END $f$;
SELECT matches(pg_temp.hint_of($$SELECT * FROM noa.data_quality('tap_ads', clicks_col => 'clicks_all')$$),
	'clicks_col =>', 'the HINT names the argument to override');

-- behaviour that the signature promises
SELECT results_eq(
	$$SELECT check_name, severity, rows_affected FROM noa.data_quality('tap_ads', as_of => '2025-03-10')$$,
	$$VALUES ('stale_data'::text, 'warning'::text, NULL::bigint)$$,
	'as_of and max_staleness_days drive the staleness check');

SELECT results_eq(
	$$SELECT count(*)::int FROM noa.data_quality('tap_ads', as_of => '2025-03-10', max_staleness_days => 30)$$,
	$$VALUES (0)$$,
	'a larger max_staleness_days silences it');

-- errors come first, then warnings (by spend affected)
INSERT INTO tap_ads SELECT * FROM tap_ads WHERE date_day = '2025-01-10';
UPDATE tap_ads SET clicks = 0 WHERE date_day = '2025-02-01';
SELECT results_eq(
	$$SELECT check_name, severity FROM noa.data_quality('tap_ads', as_of => '2025-03-01')$$,
	$$VALUES ('duplicate_rows'::text, 'error'::text), ('conversions_exceed_clicks', 'warning')$$,
	'rows are ordered by severity, errors first');

SELECT * FROM finish();
ROLLBACK;
