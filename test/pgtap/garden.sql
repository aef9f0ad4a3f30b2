-- Garden sweep: call every function and aggregate of the extension, found in
-- the catalog (so the sweep grows with the extension), with edge inputs —
-- NULL, NaN, ±Infinity, 0, negative, 1e±300, empty sets, one row, constant
-- columns.  Pass = the backend survives and nothing raises an internal error
-- (SQLSTATE class XX) or a crash-like failure.
BEGIN;
SELECT plan(6);

CREATE TEMP TABLE garden_log (fn text, call text, sqlstate text, message text);

-- Edge values by type, as SQL literals.
CREATE FUNCTION pg_temp.garden_values(typ regtype, argname text) RETURNS text[]
LANGUAGE plpgsql AS $$
BEGIN
	RETURN CASE typ
		WHEN 'float8'::regtype THEN ARRAY['NULL', '''NaN''::float8', '''Infinity''::float8', '''-Infinity''::float8',
			'0::float8', '(-1)::float8', '1e-300::float8', '1e300::float8', '0.5::float8', '2::float8']
		WHEN 'integer'::regtype THEN ARRAY['NULL', '0', '(-1)', '1', '2', '2147483647']
		WHEN 'bigint'::regtype THEN ARRAY['NULL', '0::bigint', '(-1)::bigint', '9223372036854775807::bigint']
		WHEN 'numeric'::regtype THEN ARRAY['NULL', '''NaN''::numeric', '0::numeric', '(-1)::numeric', '1e300::numeric']
		WHEN 'text'::regtype THEN ARRAY['NULL', '''''', '''hill''', '''auto''', '''no such thing''',
			'''move 20% from c1 to c2''', '''awareness=0.2''']
		WHEN 'boolean'::regtype THEN ARRAY['NULL', 'true', 'false']
		WHEN 'date'::regtype THEN ARRAY['NULL', '''2024-01-01''::date', '''infinity''::date']
		WHEN 'regclass'::regtype THEN ARRAY['NULL', '''garden_empty''::regclass', '''garden_one''::regclass',
			'''garden_ads''::regclass']
		WHEN 'cstring'::regtype THEN ARRAY['NULL', '''''::cstring', '''v1:hill''::cstring']
		-- daily series of the internal per-campaign functions (the second is the baseline)
		WHEN 'date[]'::regtype THEN ARRAY['NULL', '''{2024-01-01,2024-01-02,2024-01-03}''::date[]', '''{}''::date[]',
			'''{2024-01-02,2024-01-01,2024-01-03}''::date[]', '''{infinity,2024-01-01,2024-01-02}''::date[]']
		WHEN 'float8[]'::regtype THEN ARRAY['NULL', '''{1,2,3}''::float8[]', '''{}''::float8[]',
			'''{NaN,Infinity,-1}''::float8[]', '''{1,NULL,0}''::float8[]', '''{{1,2},{3,4}}''::float8[]']
		ELSE ARRAY['NULL'] || COALESCE((SELECT array_agg(format('(SELECT v FROM garden_typed WHERE t = %L AND i = %s)', typ::text, i))
			FROM garden_typed WHERE t = typ::text), '{}')
	END;
END $$;

-- A value that lets the other arguments be exercised (one-at-a-time design).
CREATE FUNCTION pg_temp.garden_baseline(typ regtype, argname text) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
	IF typ = 'float8'::regtype THEN
		RETURN CASE WHEN argname ~ '(level|share)' THEN '0.9::float8'
			WHEN argname ~ '(target|value|roas)' THEN '1::float8' ELSE '100::float8' END;
	ELSIF typ = 'integer'::regtype THEN RETURN '5';
	ELSIF typ = 'text'::regtype THEN RETURN CASE WHEN argname ~ 'model' THEN '''hill''' ELSE 'NULL' END;
	END IF;
	RETURN (pg_temp.garden_values(typ, argname))[2];
END $$;

-- Ad-platform-shaped tables for functions that read relations.
CREATE TEMP TABLE garden_empty (date_day date, platform text, campaign_id text, spend numeric,
	impressions bigint, clicks bigint, conversions numeric, conversions_value numeric, currency text);
CREATE TEMP TABLE garden_one (LIKE garden_empty);
INSERT INTO garden_one VALUES ('2024-01-01', 'google_ads', 'c1', 10, 100, 5, 1, 20, 'EUR');
CREATE TEMP TABLE garden_ads (LIKE garden_empty);
INSERT INTO garden_ads
SELECT DATE '2024-01-01' + d, 'google_ads', 'c' || c, 'NaN', -1, 5, 1e30, 'Infinity', 'EUR'
FROM generate_series(0, 3) d, generate_series(1, 2) c;

-- Point sets for the aggregates, and curves fitted on them for the accessors.
CREATE TEMP TABLE garden_points (set_name text, x float8, y float8);
INSERT INTO garden_points VALUES ('one', 1, 1), ('constant_x', 5, 1), ('constant_x', 5, 2), ('constant_x', 5, 3),
	('zeros', 0, 0), ('zeros', 0, 0), ('zeros', 0, 0), ('tiny', 1e-300, 1e-300), ('tiny', 2e-300, 1e-300),
	('tiny', 3e-300, 2e-300), ('huge', 1e300, 1e300), ('huge', 2e300, 1e300), ('huge', 3e300, 2e300);
INSERT INTO garden_points SELECT 'good', x, 50 * x / (x + 20) + (x % 3 - 1) FROM generate_series(1, 60) x;
INSERT INTO garden_points SELECT 'flat_y', x, 7 FROM generate_series(1, 30) x;
INSERT INTO garden_points SELECT 'nulls', NULL, NULL FROM generate_series(1, 3);

CREATE TEMP TABLE garden_typed (t text, i int, v text);
INSERT INTO garden_typed
SELECT 'noa.curve', row_number() OVER (ORDER BY set_name, model), c FROM (
	SELECT set_name, model, noa.fit_curve(x, y, model)::text AS c
	FROM garden_points, unnest(ARRAY['hill', 'exponential', 'logistic', 'power', 'linear']) model
	WHERE set_name IN ('good', 'one', 'constant_x', 'flat_y', 'zeros')
	GROUP BY set_name, model) s WHERE c IS NOT NULL;
-- Portfolios over those curves: empty, every curve at one spend, and with bounds, groups and a lock.
INSERT INTO garden_typed
SELECT 'noa.portfolio', 1, '{"version": 1, "items": []}'
UNION ALL
SELECT 'noa.portfolio', 2, noa.portfolio('c' || i, v::noa.curve, 100)::text FROM garden_typed WHERE t = 'noa.curve'
UNION ALL
SELECT 'noa.portfolio', 3, noa.portfolio('c' || i, v::noa.curve, 50 * i, 10, 1000, CASE WHEN i % 2 = 0 THEN 'awareness' END,
	i, i = 1)::text FROM garden_typed WHERE t = 'noa.curve';
-- KPI models: a clean one, and one with a zero, a constant and a duplicated channel.
INSERT INTO garden_typed
SELECT 'noa.kpi_model', 1, noa.fit_kpi_model(DATE '2024-01-01' + d, 'c' || c, 50 + 40 * sin(d * 0.3 * c) + c,
	500 + 30 * sin(d * 0.3) + 20 * sin(d * 0.6) + 5 * cos(d * 1.7), 10)::text
FROM generate_series(0, 119) d, generate_series(1, 2) c
UNION ALL
SELECT 'noa.kpi_model', 2, noa.fit_kpi_model(DATE '2024-01-01' + 7 * d, c,
	CASE c WHEN 'zero' THEN 0 WHEN 'flat' THEN 5 ELSE 50 + 40 * sin(d * 0.3) END, 100 + sin(d)::float8)::text
FROM generate_series(0, 59) d, unnest(ARRAY['zero', 'flat', 'a', 'a_copy']) c;
-- Arrays of KPI models: both models, an empty array, and one with a NULL element.
INSERT INTO garden_typed
SELECT 'noa.kpi_model[]', 1, array_agg(v::noa.kpi_model ORDER BY i)::text FROM garden_typed WHERE t = 'noa.kpi_model'
UNION ALL SELECT 'noa.kpi_model[]', 2, '{}'
UNION ALL SELECT 'noa.kpi_model[]', 3, ARRAY[NULL, (SELECT v::noa.kpi_model FROM garden_typed WHERE t = 'noa.kpi_model' AND i = 1)]::text;

-- Campaign states (the internal noa._unit_state[] of waste and recommendations):
-- one plausible row over a fitted curve, an empty state, and a NULL element.
INSERT INTO garden_typed
SELECT 'noa._unit_state[]', 1, ARRAY[ROW('google_ads', 'c1', NULL, 'conversion', false, 'conversions', 'EUR',
	DATE '2024-01-01', DATE '2024-01-28', c.v, 60, 100, 28, 1000, 2, 1.5, 50, 150, 0.1, 0.05, 3, 100, 10, c.v, false,
	'platform_reported', NULL, NULL, NULL, NULL)::noa._unit_state]::text
FROM garden_typed AS c WHERE c.t = 'noa.curve' AND c.i = 1
UNION ALL SELECT 'noa._unit_state[]', 2, '{}'
UNION ALL SELECT 'noa._unit_state[]', 3, ARRAY[NULL::noa._unit_state]::text;

-- Call every extension function, varying one argument at a time.
CREATE FUNCTION pg_temp.garden_run() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	f record;
	i int;
	j int;
	v text;
	args text[];
	call text;
	names text[];
	types oid[];
BEGIN
	FOR f IN
		SELECT p.oid, p.oid::regprocedure::text AS sig, p.proname, p.prokind,
			ARRAY(SELECT unnest(p.proargtypes::oid[])) AS argtypes, p.proargnames, p.pronargs
		FROM pg_catalog.pg_proc p
		JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
			AND d.deptype = 'e'
		JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'noa'
		WHERE p.prokind IN ('f', 'a')
			AND NOT ('internal'::regtype = ANY (p.proargtypes::oid[]))
		ORDER BY 2
	LOOP
		types := f.argtypes;
		names := COALESCE(f.proargnames, '{}');
		IF f.prokind = 'a' THEN
			-- Aggregates: every point set, with the other arguments at their baselines.
			FOR v IN SELECT DISTINCT set_name FROM garden_points ORDER BY 1 LOOP
				args := CASE WHEN types[1] = 'float8'::regtype AND types[2] = 'float8'::regtype
					THEN ARRAY['x', 'y'] ELSE '{}' END;
				FOR j IN cardinality(args) + 1..f.pronargs LOOP
					args := args || format('%s::%s', pg_temp.garden_baseline(types[j], names[j]), types[j]::regtype);
				END LOOP;
				call := format('SELECT %s(%s) FROM garden_points WHERE set_name = %L',
					f.oid::regproc, array_to_string(args, ', '), v);
				PERFORM pg_temp.garden_try(f.sig, call);
			END LOOP;
			CONTINUE;
		END IF;
		FOR i IN 0..GREATEST(f.pronargs, 1) LOOP
			FOREACH v IN ARRAY CASE WHEN i = 0 OR f.pronargs = 0 THEN ARRAY['']
				ELSE pg_temp.garden_values(types[i], names[i]) END LOOP
				args := '{}';
				FOR j IN 1..f.pronargs LOOP
					args := args || CASE WHEN j = i THEN format('%s::%s', v, types[j]::regtype)
						ELSE format('%s::%s', pg_temp.garden_baseline(types[j], names[j]), types[j]::regtype) END;
				END LOOP;
				call := format('SELECT * FROM %s(%s)', f.oid::regproc, array_to_string(args, ', '));
				PERFORM pg_temp.garden_try(f.sig, call);
			END LOOP;
			EXIT WHEN f.pronargs = 0;
		END LOOP;
	END LOOP;
END $$;

-- Run one call in a subtransaction and log how it ended.
CREATE FUNCTION pg_temp.garden_try(fn text, call text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	state text;
	msg text;
BEGIN
	BEGIN
		EXECUTE call;
		INSERT INTO garden_log VALUES (fn, call, '00000', NULL);
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT;
		INSERT INTO garden_log VALUES (fn, call, state, msg);
	END;
END $$;

SELECT lives_ok('SELECT pg_temp.garden_run()', 'the garden sweep runs to the end');

SELECT cmp_ok((SELECT count(*) FROM garden_log)::int, '>=', 200, 'the sweep made a few hundred calls');

SELECT is((SELECT count(*) FROM garden_log WHERE sqlstate LIKE 'XX%' OR sqlstate LIKE '58%')::int, 0,
	'no call raised an internal error');

SELECT is((SELECT string_agg(sig, ', ') FROM (
		SELECT p.oid::regprocedure::text AS sig FROM pg_catalog.pg_proc p
		JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
		JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'noa'
		WHERE p.prokind IN ('f', 'a') AND NOT ('internal'::regtype = ANY (p.proargtypes::oid[]))
		EXCEPT SELECT fn FROM garden_log) s), NULL, 'every callable extension function was exercised');

SELECT is((SELECT count(*) FROM garden_log WHERE sqlstate IN ('42601', '42883', '42804', '42P18'))::int, 0,
	'every generated call was well-formed (no syntax, lookup or type errors)');

SELECT ok((SELECT count(*) FROM garden_log WHERE sqlstate = '00000') > 0
	AND (SELECT count(*) FROM garden_log WHERE sqlstate <> '00000') > 0,
	'the sweep saw both successes and clean errors');

SELECT diag(format('%s: %s -> %s %s', fn, call, sqlstate, message))
FROM garden_log WHERE sqlstate LIKE 'XX%' OR sqlstate LIKE '58%';

SELECT * FROM finish();
ROLLBACK;
