-- API contract of the response-curve layer: type, aggregate, accessors,
-- labels, result columns and error codes.
BEGIN;
SELECT plan(42);

SELECT has_type('noa', 'curve', 'type noa.curve exists');
SELECT has_cast('noa.curve', 'jsonb', 'noa.curve casts to jsonb');
SELECT has_function('noa', 'version', '{}'::name[], 'noa.version() exists');
SELECT matches(noa.version(), '^noa ' || (SELECT replace(extversion, '.', '\.') FROM pg_extension WHERE extname = 'noa')
	|| ' \(GSL [0-9.]+, PostgreSQL [0-9.]+', 'version names noa (the installed version), GSL and PostgreSQL');

-- Aggregates, with combine/serial/deserial for parallel and partial aggregation.
SELECT ok(EXISTS (SELECT 1 FROM pg_aggregate a WHERE a.aggfnoid = 'noa.fit_curve(float8, float8)'::regprocedure
	AND a.aggcombinefn <> 0 AND a.aggserialfn <> 0 AND a.aggdeserialfn <> 0), 'fit_curve(spend, response) has combine, serial and deserial');
SELECT ok(EXISTS (SELECT 1 FROM pg_aggregate a WHERE a.aggfnoid = 'noa.fit_curve(float8, float8, text)'::regprocedure
	AND a.aggcombinefn <> 0 AND a.aggserialfn <> 0 AND a.aggdeserialfn <> 0), 'fit_curve(spend, response, model) has combine, serial and deserial');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = 'noa.fit_curve(float8, float8)'::regprocedure), 's', 'fit_curve is parallel safe');
SELECT is((SELECT proparallel FROM pg_proc WHERE oid = 'noa.fit_curve(float8, float8, text)'::regprocedure), 's', 'fit_curve(model) is parallel safe');

-- Accessors: immutable, strict, parallel safe, float8 results.
SELECT is(string_agg(p.oid::regprocedure::text, ', ' ORDER BY 1), NULL, 'every curve accessor is IMMUTABLE STRICT PARALLEL SAFE')
FROM pg_proc p
WHERE p.pronamespace = 'noa'::regnamespace
	AND p.proname IN ('response', 'response_lo', 'response_hi', 'marginal_roas', 'marginal_roas_lo', 'marginal_roas_hi',
		'breakeven_spend', 'breakeven_spend_lo', 'breakeven_spend_hi', 'breakeven_note', 'saturation_spend',
		'saturation_spend_lo', 'saturation_spend_hi', 'curve_status', 'curve_model', 'curve_param')
	AND NOT (p.provolatile = 'i' AND p.proisstrict AND p.proparallel = 's');
-- The two reports take the labels currency and response_unit, which may be NULL: not STRICT.
SELECT is(string_agg(p.oid::regprocedure::text, ', ' ORDER BY 1), NULL, 'curve_summary and curve_points are IMMUTABLE PARALLEL SAFE, not STRICT')
FROM pg_proc p
WHERE p.pronamespace = 'noa'::regnamespace AND p.proname IN ('curve_summary', 'curve_points')
	AND NOT (p.provolatile = 'i' AND NOT p.proisstrict AND p.proparallel = 's');
SELECT function_returns('noa', 'response', ARRAY['noa.curve', 'double precision'], 'double precision', 'response returns float8');
SELECT function_returns('noa', 'marginal_roas', ARRAY['noa.curve', 'double precision', 'double precision'], 'double precision', 'marginal_roas returns float8');
SELECT function_returns('noa', 'breakeven_spend', ARRAY['noa.curve', 'double precision', 'double precision'], 'double precision', 'breakeven_spend returns float8');
SELECT function_returns('noa', 'saturation_spend', ARRAY['noa.curve', 'double precision'], 'double precision', 'saturation_spend returns float8');
SELECT has_function('noa', 'response_lo', ARRAY['noa.curve', 'double precision', 'double precision'], 'response_lo(curve, spend, level)');
SELECT has_function('noa', 'marginal_roas_hi', ARRAY['noa.curve', 'double precision', 'double precision', 'double precision'], 'marginal_roas_hi(curve, spend, value, level)');
SELECT has_function('noa', 'breakeven_spend_lo', ARRAY['noa.curve', 'double precision', 'double precision', 'double precision'], 'breakeven_spend_lo(curve, target, value, level)');
SELECT has_function('noa', 'saturation_spend_hi', ARRAY['noa.curve', 'double precision', 'double precision'], 'saturation_spend_hi(curve, share, level)');

-- No member is SECURITY DEFINER; no SQL-language member runs with the caller's search_path.
SELECT is((SELECT count(*)::int FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
	JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'noa' WHERE p.prosecdef), 0, 'no SECURITY DEFINER member');
SELECT is((SELECT count(*)::int FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
	JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'noa'
	WHERE p.prolang IN (SELECT oid FROM pg_language WHERE lanname IN ('sql', 'plpgsql'))
	AND p.proconfig IS NULL AND p.prosqlbody IS NULL), 0, 'SQL and PL/pgSQL members pin search_path or are BEGIN ATOMIC');
SELECT is((SELECT count(*)::int FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
	JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'noa'
	WHERE p.prokind IN ('f', 'a') AND obj_description(p.oid, 'pg_proc') IS NULL
	AND p.proname !~ '_(in|out|recv|send|sfunc|combine|serial|deserial|final)$'), 0, 'every public function has a COMMENT');

-- Result columns of the flat functions: only BI-friendly types.
SELECT is((SELECT count(*)::int FROM pg_proc p, unnest(p.proallargtypes, p.proargmodes) AS a(t, mode)
	WHERE p.pronamespace = 'noa'::regnamespace AND mode IN ('o', 't')
	AND t NOT IN ('text'::regtype, 'integer'::regtype, 'bigint'::regtype, 'numeric'::regtype, 'double precision'::regtype,
		'date'::regtype, 'boolean'::regtype)), 0, 'set-returning functions return only text/int/numeric/float8/date/boolean columns');
SELECT is((SELECT count(*)::int FROM pg_proc p, unnest(p.proargmodes) m WHERE p.oid = 'noa.curve_summary(noa.curve, float8, float8, float8, text, text)'::regprocedure AND m = 'o'), 35, 'curve_summary returns 35 columns');
SELECT is((SELECT array_agg(n ORDER BY o) FROM unnest(
	(SELECT proargnames FROM pg_proc WHERE oid = 'noa.curve_points(noa.curve, float8, integer, float8, float8, text, text)'::regprocedure),
	(SELECT proargmodes::text[] FROM pg_proc WHERE oid = 'noa.curve_points(noa.curve, float8, integer, float8, float8, text, text)'::regprocedure))
	WITH ORDINALITY AS x(n, m, o) WHERE m = 'o'),
	ARRAY['point_no', 'spend', 'response', 'response_lo', 'response_hi', 'marginal_roas', 'in_observed_range', 'currency', 'response_unit'],
	'curve_points columns');

-- Error codes.
SELECT throws_ok($$SELECT noa.fit_curve(x, y) FROM (VALUES (1::float8, 'NaN'::float8)) v(x, y)$$, '22023', NULL, 'NaN response: 22023');
SELECT throws_ok($$SELECT noa.fit_curve(x, y) FROM (VALUES ('Infinity'::float8, 1::float8)) v(x, y)$$, '22023', NULL, 'infinite spend: 22023');
SELECT throws_ok($$SELECT noa.fit_curve(x, y) FROM (VALUES (-1::float8, 1::float8)) v(x, y)$$, '22023', NULL, 'negative spend: 22023');
SELECT throws_ok($$SELECT noa.fit_curve(x, y, 'cubic') FROM (VALUES (1::float8, 1::float8)) v(x, y)$$, '22023', NULL, 'unknown model: 22023');
SELECT throws_ok($$SET LOCAL noa.max_points = 10; SELECT noa.fit_curve(x, x) FROM generate_series(1, 11) x$$, '54000', NULL, 'over noa.max_points: 54000');
SELECT throws_ok($$SELECT 'v1:cubic'::noa.curve$$, '22P02', NULL, 'malformed curve literal: 22P02');
SELECT throws_ok($$SELECT 'garbage'::noa.curve$$, '22P02', NULL, 'garbage curve literal: 22P02');
SELECT throws_ok($$SELECT 'v9:hill'::noa.curve$$, '0A000', NULL, 'unknown format version: 0A000');

-- Behaviour on degenerate groups: a status, not an error.
SELECT is((SELECT noa.fit_curve(x, y) FROM (VALUES (1::float8, 1::float8)) v(x, y)) IS NOT NULL, true, 'one point gives a curve value');
SELECT is((SELECT noa.curve_status(noa.fit_curve(x, y)) FROM (VALUES (1::float8, 1::float8)) v(x, y)), 'insufficient_data', 'one point: insufficient_data');
SELECT ok((SELECT noa.fit_curve(x, y) FROM (VALUES (1::float8, 1::float8)) v(x, y) WHERE false) IS NULL, 'empty group: NULL');
SELECT ok((SELECT noa.fit_curve(x, y) FROM (VALUES (NULL::float8, 1::float8)) v(x, y)) IS NULL, 'only NULL rows: NULL');
SELECT is((SELECT noa.response(noa.fit_curve(x, y), 10) FROM (VALUES (1::float8, 1::float8)) v(x, y)), NULL, 'accessors answer NULL for an unusable curve');
SELECT isnt((SELECT noa.curve_status(noa.fit_curve(5, y)) FROM generate_series(1, 20) y), 'converged', 'constant spend does not claim convergence');

-- Argument checks on accessors.
SELECT throws_ok($$SELECT noa.response_lo(noa.fit_curve(x, 3 * x / (x + 5)), 1, 1.5) FROM generate_series(1, 30) x$$, '22023', NULL, 'level outside (0,1): 22023');
SELECT throws_ok($$SELECT noa.response(noa.fit_curve(x, 3 * x / (x + 5)), 'NaN') FROM generate_series(1, 30) x$$, '22023', NULL, 'NaN spend argument: 22023');
SELECT throws_ok($$SELECT noa.marginal_roas(noa.fit_curve(x, 3 * x / (x + 5)), 1, -2) FROM generate_series(1, 30) x$$, '22023', NULL, 'negative value_per_unit: 22023');
SELECT throws_ok($$SELECT * FROM noa.curve_points((SELECT noa.fit_curve(x, 3 * x / (x + 5)) FROM generate_series(1, 30) x), 10, 1)$$, '22023', NULL, 'points < 2: 22023');

SELECT * FROM finish();
ROLLBACK;
