
-- ---------------------------------------------------------------------------
-- Wasted spend: noa.waste(source, ...)
-- ---------------------------------------------------------------------------
--
-- Reads an ad-platform table or view (Fivetran ad_reporting column names by
-- default), fits one response curve per campaign (and geo, when the table has
-- one; noa._campaign_state below) and returns one flat row per kind of waste
-- found:
--
--   past_breakeven        spend above the break-even spend, where the next
--                         euro returns less than target_mroas (value KPIs)
--   past_saturation       spend above the point where the KPI reaches
--                         saturation_share of its maximum (any KPI; the only
--                         test for awareness campaigns, judged on reach)
--   no_incremental_value  the KPI does not rise measurably with spend (a
--                         model-free slope test at the stated confidence) and
--                         the campaign does not pay even on average; the
--                         whole spend is at stake
--   over_invested_geo     a geo whose spend-weighted marginal ROAS is below
--                         target_mroas
--
-- The rules, thresholds and confidence buckets are documented in
-- docs/waste.md.
--
-- Security: the relation comes in as a regclass; columns are looked up in
-- pg_attribute and enter the dynamic SQL only through format('%I'); noa's own
-- functions are called through the schema the extension is installed in,
-- looked up in pg_extension and quoted with quote_ident (so the install-time
-- schema placeholder never appears inside a quoted body); constants enter
-- through EXECUTE ... USING.
-- search_path is pinned to pg_catalog, pg_temp and the function runs as the
-- caller, so the caller's privileges and row-level security apply.
--
-- Labels: STABLE (reads tables, writes nothing).  noa._campaign_state is
-- PARALLEL RESTRICTED, not SAFE: it may be pointed at a temporary table, which
-- a parallel worker cannot read, and at a view whose own functions may be
-- parallel-unsafe.  noa.waste is PARALLEL UNSAFE: it catches every error of
-- its query in an EXCEPTION block (to report it without the text of its
-- internal query), and a subtransaction is not allowed in parallel mode.

-- Internal: the per-campaign state both noa.waste and noa.recommendations
-- judge.  Reads the source (columns resolved and type-checked, identifiers
-- quoted with %I), counts exact duplicate rows once, leaves out rows without a
-- date or campaign and rows whose spend is negative, NaN or infinite (other
-- unusable measures become NULL), sums to one row per campaign (and geo) and
-- day up to as_of, and fits one response curve per campaign on its KPI:
-- impressions (else clicks) for awareness campaigns, conversions otherwise.
-- The curve is returned as its text form (cast it to noa.curve).
CREATE FUNCTION @extschema@._campaign_state(
	source          regclass,
	as_of           date,
	window_days     integer,
	model           text,
	date_col        text,
	platform_col    text,
	campaign_col    text,
	spend_col       text,
	impressions_col text,
	clicks_col      text,
	conversions_col text,
	value_col       text,
	role_col        text,
	geo_col         text,
	currency_col    text,
	caller          text DEFAULT 'noa._campaign_state')
RETURNS TABLE (
	platform        text,
	campaign_id     text,
	geo             text,
	campaign_role   text,
	awareness       boolean,
	kpi             text,
	currency        text,
	period_start    date,
	period_end      date,
	curve           text,
	n_days          bigint,
	current_spend   float8,
	window_days_seen bigint,
	window_value    float8,
	value_per_unit  float8,
	avg_roas        float8,
	spend_p10       float8,
	spend_p90       float8,
	slope           float8,
	slope_se        float8,
	resid_sd        float8,
	spend_mean      float8,
	kpi_mean        float8)
LANGUAGE plpgsql
STABLE
PARALLEL RESTRICTED
CALLED ON NULL INPUT
COST 100000
ROWS 50
SET search_path = pg_catalog, pg_temp
SET jit = off               -- short generated queries: compiling them costs seconds and cannot be cancelled
AS $function$
DECLARE
	fn       text := coalesce(caller, 'noa._campaign_state');
	-- one entry per column argument: name, value, default, required, kind
	arg_name text[]    := ARRAY['date_col', 'platform_col', 'campaign_col', 'spend_col', 'impressions_col',
	                            'clicks_col', 'conversions_col', 'value_col', 'role_col', 'geo_col',
	                            'currency_col'];
	arg_val  text[];
	arg_def  text[]    := ARRAY['date_day', 'platform', 'campaign_id', 'spend', 'impressions', 'clicks',
	                            'conversions', 'conversions_value', 'campaign_role', 'geo', 'currency'];
	arg_req  boolean[] := ARRAY[true, false, true, true, false, false, true, false, false, false, false];
	arg_kind text[]    := ARRAY['date', 'text', 'text', 'number', 'number', 'number', 'number', 'number',
	                            'text', 'text', 'text'];
	expr     text[]    := ARRAY[]::text[];
	rel_nsp  name;
	rel_name name;
	rel_kind "char";
	att_type oid;
	att_cat  "char";
	att_ci   text;
	all_cols text;
	ext_nsp  name;
	i        int;
	src_sql  text;
	ref      date;
	ok_sql   text;
	fit_sql  text;
	q        text;
	-- the campaigns (step 1), one array per column, and the campaign ids of
	-- those that take the careful path
	c_pf     text[];
	c_cp     text[];
	c_geo    text[];
	c_odd    boolean[];
	c_rmin   text[];
	c_rmax   text[];
	c_cmin   text[];
	c_cmax   text[];
	odd_cps  text[];
BEGIN
	IF source IS NULL THEN
		RAISE EXCEPTION '%: source must not be NULL', fn
			USING ERRCODE = 'null_value_not_allowed',
			      HINT = 'Pass the ad table or view, e.g. ''noa_demo.ad_spend''.';
	END IF;
	IF window_days IS NULL OR window_days < 1 OR window_days > 366 THEN
		RAISE EXCEPTION '%: window_days must be between 1 and 366, got %', fn, coalesce(window_days::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'window_days is the length of the period judged, ending on as_of (default 28 days).';
	END IF;
	IF model IS NULL OR model NOT IN ('hill', 'exponential', 'michaelis_menten', 'logistic', 'tanh', 'power', 'linear', 'auto') THEN
		RAISE EXCEPTION '%: unknown model %', fn, coalesce(pg_catalog.quote_literal(model), 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'model is one of hill (default), exponential, michaelis_menten, logistic, tanh, power, linear or auto.';
	END IF;
	IF as_of IS NOT NULL AND pg_catalog.isfinite(as_of) IS NOT TRUE THEN
		RAISE EXCEPTION '%: as_of must be a finite date, got %', fn, as_of
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'as_of is the last day of the period judged; leave it NULL for the last day in the table.';
	END IF;

	SELECT n.nspname, c.relname, c.relkind INTO rel_nsp, rel_name, rel_kind
	FROM pg_catalog.pg_class AS c
	JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
	WHERE c.oid = source;
	IF rel_kind IS NULL OR rel_kind NOT IN ('r', 'v', 'm', 'f', 'p') THEN
		RAISE EXCEPTION '%: % is not a table or view', fn, source
			USING ERRCODE = 'wrong_object_type',
			      HINT = 'Pass a table, view, materialized view or foreign table as source.';
	END IF;

	-- ---- columns -------------------------------------------------------------
	arg_val := ARRAY[date_col, platform_col, campaign_col, spend_col, impressions_col, clicks_col,
	                 conversions_col, value_col, role_col, geo_col, currency_col];
	FOR i IN 1 .. pg_catalog.array_length(arg_name, 1) LOOP
		expr := expr || NULL::text;
		IF arg_val[i] IS NULL THEN
			IF arg_req[i] THEN
				RAISE EXCEPTION '%: % must not be NULL', fn, arg_name[i]
					USING ERRCODE = 'null_value_not_allowed',
					      HINT = format('%s names a required column of %s (default %L).', arg_name[i], source, arg_def[i]);
			END IF;
			CONTINUE;                    -- optional column switched off by the caller
		END IF;
		att_type := NULL;
		SELECT a.atttypid INTO att_type
		FROM pg_catalog.pg_attribute AS a
		WHERE a.attrelid = source AND a.attname = arg_val[i]::name AND a.attnum > 0 AND NOT a.attisdropped;
		IF att_type IS NULL THEN
			-- an optional column under its default name may simply be absent
			CONTINUE WHEN NOT arg_req[i] AND arg_val[i] = arg_def[i];
			SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum),
			       pg_catalog.min(a.attname) FILTER (WHERE pg_catalog.lower(a.attname) = pg_catalog.lower(arg_val[i]))
			  INTO all_cols, att_ci
			FROM pg_catalog.pg_attribute AS a
			WHERE a.attrelid = source AND a.attnum > 0 AND NOT a.attisdropped;
			RAISE EXCEPTION '%: column % does not exist in %', fn, pg_catalog.quote_ident(arg_val[i]), source
				USING ERRCODE = 'undefined_column',
				      HINT = CASE WHEN att_ci IS NOT NULL
				                  THEN format('Column names are case-sensitive: did you mean %s => %L?', arg_name[i], att_ci)
				                  ELSE format('Pass the right column name with %s => ''<name>''. Columns of %s: %s.',
				                              arg_name[i], source, coalesce(all_cols, '(none)')) END;
		END IF;
		SELECT CASE WHEN ty.typtype = 'd' THEN bt.typcategory ELSE ty.typcategory END INTO att_cat
		FROM pg_catalog.pg_type AS ty LEFT JOIN pg_catalog.pg_type AS bt ON bt.oid = ty.typbasetype
		WHERE ty.oid = att_type;
		IF arg_kind[i] = 'date' THEN
			IF att_cat IS DISTINCT FROM 'D' OR att_type = 'pg_catalog.time'::pg_catalog.regtype
			   OR att_type = 'pg_catalog.timetz'::pg_catalog.regtype THEN
				RAISE EXCEPTION '%: column % of % has type %, expected date', fn,
					pg_catalog.quote_ident(arg_val[i]), source, pg_catalog.format_type(att_type, NULL)
					USING ERRCODE = 'datatype_mismatch',
					      HINT = format('Pass a date or timestamp column as %s, or a view that casts it to date.', arg_name[i]);
			END IF;
			expr[i] := format('(t.%I)::pg_catalog.date', arg_val[i]);
		ELSIF arg_kind[i] = 'number' THEN
			IF att_cat IS DISTINCT FROM 'N' THEN
				RAISE EXCEPTION '%: column % of % has type %, expected a number', fn,
					pg_catalog.quote_ident(arg_val[i]), source, pg_catalog.format_type(att_type, NULL)
					USING ERRCODE = 'datatype_mismatch',
					      HINT = format('Pass a numeric column as %s, or a view that casts it (e.g. (metrics->>''spend'')::numeric).', arg_name[i]);
			END IF;
			expr[i] := format('(t.%I)::pg_catalog.numeric', arg_val[i]);
		ELSE
			expr[i] := format('(t.%I)::pg_catalog.text', arg_val[i]);
		END IF;
	END LOOP;

	src_sql := format(
		'SELECT %s AS d, %s AS pf, %s AS cp, %s AS sp, %s AS im, %s AS cl, %s AS cv, %s AS va, '
		'%s AS role, %s AS geo, %s AS cu FROM %I.%I AS t',
		expr[1], coalesce(expr[2], 'NULL::pg_catalog.text'), expr[3], expr[4],
		coalesce(expr[5], 'NULL::pg_catalog.numeric'), coalesce(expr[6], 'NULL::pg_catalog.numeric'),
		expr[7], coalesce(expr[8], 'NULL::pg_catalog.numeric'),
		coalesce(expr[9], 'NULL::pg_catalog.text'), coalesce(expr[10], 'NULL::pg_catalog.text'),
		coalesce(expr[11], 'NULL::pg_catalog.text'), rel_nsp, rel_name);

	-- the last day judged: as_of, or the newest plausible date in the table.
	-- Known before the main query is planned, so the planner sees how many
	-- rows it keeps (compared with an InitPlan's value it would guess a third
	-- of them, and sort what it could hash).
	ref := as_of;
	IF ref IS NULL THEN
		EXECUTE format('SELECT max(s.d) FROM (%s) AS s WHERE s.d BETWEEN ''1900-01-01'' AND ''9999-12-31''', src_sql)
			INTO ref;
	END IF;

	SELECT n.nspname INTO ext_nsp
	FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
	WHERE e.extname = 'noa';

	-- The rows judged ($1 = the last day judged; NULL: no plausible date, no
	-- rows): a campaign, a plausible date (1900-01-01 .. 9999-12-31;
	-- noa.data_quality reports the others) up to the last day judged, and a
	-- usable spend (not negative, NaN, infinite or 1e15 and above); other
	-- unusable measures become NULL.  Read again by each pass below instead of
	-- kept: cheaper than holding every row.  (Each bound is its own IS TRUE
	-- test: as a range with an unknown end the planner would guess that half a
	-- percent of the rows pass and plan sorts and merge joins for what are
	-- hundreds of thousands.)
	ok_sql := $sql$
src AS NOT MATERIALIZED (@src@),
ok AS NOT MATERIALIZED (
	SELECT s.*,
	       CASE WHEN s.im >= 0 AND s.im < 1e15 THEN s.im END AS im1,
	       CASE WHEN s.cl >= 0 AND s.cl < 1e15 THEN s.cl END AS cl1,
	       CASE WHEN s.cv >= 0 AND s.cv < 1e15 THEN s.cv END AS cv1,
	       CASE WHEN s.va >= 0 AND s.va < 1e15 THEN s.va END AS va1
	FROM src AS s
	WHERE s.cp IS NOT NULL
	  AND (s.d >= '1900-01-01') IS TRUE AND (s.d <= '9999-12-31') IS TRUE AND (s.d <= $1) IS TRUE
	  AND (s.sp >= 0) IS TRUE AND (s.sp < 1e15) IS TRUE
)$sql$;

	-- Step 1, its own query: one row per campaign (and geo) from the rows
	-- grouped by campaign (this pass and the fit's below are what a sharded
	-- engine runs on each shard when the table is distributed by campaign):
	-- whether a day has more than one row or the rows more than one role (NULL
	-- included), its roles and currencies.
	q := $sql$
WITH @ok@
SELECT array_agg(c.pf), array_agg(c.cp), array_agg(c.geo), array_agg(c.odd),
       array_agg(c.role_min), array_agg(c.role_max), array_agg(c.cu_min), array_agg(c.cu_max)
FROM (SELECT o.pf, o.cp, o.geo,
             @noa@._repeated_days(o.d) > 0 OR min(o.role) IS DISTINCT FROM max(o.role)
               OR count(o.role) NOT IN (0, count(*)) AS odd,
             min(o.role) AS role_min, max(o.role) AS role_max, min(o.cu) AS cu_min, max(o.cu) AS cu_max
      FROM ok AS o
      GROUP BY o.pf, o.cp, o.geo) AS c
$sql$;
	q := replace(replace(q, '@noa@', quote_ident(ext_nsp)), '@ok@', ok_sql);
	EXECUTE replace(q, '@src@', src_sql)      -- last: user identifiers are never rescanned
		INTO c_pf, c_cp, c_geo, c_odd, c_rmin, c_rmax, c_cmin, c_cmax USING ref;
	-- The careful path takes every campaign (and geo) whose campaign id is that
	-- of an odd one: a test of one column, which parallel workers can run on
	-- the rows (a campaign that is not odd comes out of it exactly as from
	-- the fast path).
	odd_cps := ARRAY(SELECT DISTINCT u.cp FROM unnest(c_cp, c_odd) AS u(cp, odd) WHERE u.odd ORDER BY u.cp);

	-- One pass per unit: its curve, value, current spend, spend percentiles and
	-- the sums of the model-free slope of the daily KPI on daily spend (least
	-- squares with an intercept: does the KPI move with spend inside the spend
	-- range observed?).  The slope's sums are exact (numeric), so the result does
	-- not depend on the order of the rows (float8 regr_* aggregates do).  The
	-- same aggregates over the fast path's rows and the careful path's days.
	fit_sql := $sql$
	       @noa@.fit_curve(y.sp::float8, y.y::float8, $3) AS c,
	       count(y.y) AS n_days,
	       sum(y.sp) FILTER (WHERE y.y IS NOT NULL) AS sx, sum(y.y) AS sy,
	       count(y.y) * sum(y.sp * y.sp) FILTER (WHERE y.y IS NOT NULL)
	         - sum(y.sp) FILTER (WHERE y.y IS NOT NULL) * sum(y.sp) FILTER (WHERE y.y IS NOT NULL) AS nsxx,
	       count(y.y) * sum(y.y * y.y) - sum(y.y) * sum(y.y) AS nsyy,
	       count(y.y) * sum(y.sp * y.y) - sum(y.sp) FILTER (WHERE y.y IS NOT NULL) * sum(y.y) AS nsxy,
	       sum(y.va) / nullif(sum(y.cv_v), 0) AS v,
	       sum(y.va) / nullif(sum(y.sp) FILTER (WHERE y.va IS NOT NULL), 0) AS avg_roas,
	       avg(y.sp) FILTER (WHERE y.d > $1 - $2) AS cur,
	       count(*) FILTER (WHERE y.d > $1 - $2) AS win_days,
	       sum(y.va) FILTER (WHERE y.d > $1 - $2) AS win_value,
	       @noa@._p10_p90(y.sp::float8) AS pq$sql$;

	-- $1 the last day judged, $2 window_days, $3 model, $4 value column
	-- present, $5 impressions column present, $6 clicks column present,
	-- $7 the campaign ids of the careful path, $8..$14 the campaigns (step 1).
	q := $sql$
WITH @ok@,
-- the campaigns of step 1 (odd: the careful path, by campaign id)
camp AS MATERIALIZED (
	SELECT c.pf, c.cp, c.geo, c.cp = ANY ($7) AS odd, c.role_min, c.role_max, c.cu_min, c.cu_max
	FROM unnest($8, $9, $10, $11, $12, $13, $14) AS c(pf, cp, geo, role_min, role_max, cu_min, cu_max)
),
-- The rows of the campaigns that take the careful path (odd): a day with
-- more than one row (exact duplicate rows count once, the others of a day are
-- summed) or more than one role (the most frequent one counted over distinct
-- rows).
odd_rows AS MATERIALIZED (
	SELECT DISTINCT o.* FROM ok AS o WHERE o.cp = ANY ($7)
),
-- one row per campaign (and geo), numbered in a fixed order: its role (the
-- most frequent; ties: the first in sort order, as mode() picks) and currency
unit AS MATERIALIZED (
	SELECT row_number() OVER (ORDER BY c.pf, c.cp, c.geo) AS uid, c.pf, c.cp, c.geo,
	       c.odd,
	       CASE WHEN c.role_min = c.role_max THEN c.role_min ELSE m.role END AS role,
	       coalesce(c.cu_min = c.cu_max, true) AS one_cur, c.cu_min AS cur,
	       coalesce(lower(btrim(CASE WHEN c.role_min = c.role_max THEN c.role_min ELSE m.role END)) = 'awareness',
	                false) AS aware
	FROM camp AS c
	LEFT JOIN (SELECT r.pf, r.cp, r.geo, mode() WITHIN GROUP (ORDER BY r.role) AS role
	           FROM odd_rows AS r GROUP BY r.pf, r.cp, r.geo) AS m
	       ON m.cp = c.cp AND m.pf IS NOT DISTINCT FROM c.pf AND m.geo IS NOT DISTINCT FROM c.geo
),
-- the KPI of the campaign's role; campaigns mixing currencies are left out
unit_kpi AS (
	SELECT u.*,
	       CASE WHEN NOT u.aware THEN 'conversions'
	            WHEN $5 THEN 'impressions' WHEN $6 THEN 'clicks' END AS kpi
	FROM unit AS u
	WHERE u.one_cur
),
-- One row per campaign and day with exact (numeric) sums, y = the KPI.  The
-- fast path: the campaigns that are not odd, each row of the source a day
-- (one row per day) and y the KPI of the row's own role (the campaign's one
-- role); it reads no CTE, so its pass can run in parallel workers.
fast_day AS NOT MATERIALIZED (
	SELECT o.pf, o.cp, o.geo, o.d, o.sp,
	       CASE WHEN NOT coalesce(lower(btrim(o.role)) = 'awareness', false) THEN o.cv1
	            WHEN $5 THEN o.im1 WHEN $6 THEN o.cl1 END AS y,
	       CASE WHEN o.va1 IS NOT NULL THEN o.cv1 END AS cv_v, CASE WHEN o.cv1 IS NOT NULL THEN o.va1 END AS va
	FROM ok AS o
	WHERE NOT (o.cp = ANY ($7))
),
-- the careful path: the odd campaigns, the distinct rows of each day summed
odd_day AS (
	SELECT k.pf, k.cp, k.geo, r.d, sum(r.sp) AS sp,
	       sum(CASE k.kpi WHEN 'conversions' THEN r.cv1 WHEN 'impressions' THEN r.im1 ELSE r.cl1 END) AS y,
	       sum(r.cv1) FILTER (WHERE r.va1 IS NOT NULL) AS cv_v, sum(r.va1) FILTER (WHERE r.cv1 IS NOT NULL) AS va
	FROM odd_rows AS r
	JOIN unit_kpi AS k ON k.cp = r.cp AND k.pf IS NOT DISTINCT FROM r.pf AND k.geo IS NOT DISTINCT FROM r.geo
	WHERE k.kpi IS NOT NULL AND k.odd
	GROUP BY k.pf, k.cp, k.geo, r.d
),
-- the fit of each unit (tag 0: fast path, 1: careful path).  A hash of the
-- campaign (equal campaigns, equal hashes) leads the fast path's grouping so
-- that sorting the rows compares integers, and text only between rows of the
-- same campaign.
fit AS MATERIALIZED (
	SELECT y.pf, y.cp, y.geo, 0 AS tag, @fit@
	FROM fast_day AS y
	GROUP BY pg_catalog.hashtextextended(y.cp, 0), y.pf, y.cp, y.geo
	UNION ALL
	SELECT y.pf, y.cp, y.geo, 1, @fit@
	FROM odd_day AS y
	GROUP BY y.pf, y.cp, y.geo
)
SELECT k.pf, k.cp, k.geo, k.role, k.aware, k.kpi, k.cur,
       ($1 - $2 + 1)::date, $1::date,
       f.c::text, f.n_days, f.cur::float8, f.win_days, f.win_value::float8,
       CASE WHEN k.kpi = 'conversions' AND $4 AND f.v > 0 THEN f.v::float8 END,
       f.avg_roas::float8, f.pq[1], f.pq[2],
       coalesce(r.beta, 0),
       CASE WHEN r.n > 2 AND r.sxx > 0 THEN sqrt(greatest(r.syy - r.sxy * r.sxy / r.sxx, 0) / (r.n - 2) / r.sxx) END,
       CASE WHEN r.n > 2 AND r.sxx > 0 THEN sqrt(greatest(r.syy - r.sxy * r.sxy / r.sxx, 0) / (r.n - 2)) END,
       r.xbar, r.ybar
FROM unit_kpi AS k
JOIN fit AS f ON f.cp = k.cp AND f.pf IS NOT DISTINCT FROM k.pf AND f.geo IS NOT DISTINCT FROM k.geo
             AND f.tag = CASE WHEN k.odd THEN 1 ELSE 0 END
-- the slope from the sums: n * centred sums, rounded once to float8
LEFT JOIN LATERAL (
	SELECT f.n_days AS n,
	       CASE WHEN f.nsxx <> 0 THEN f.nsxy::float8 / f.nsxx::float8 END AS beta,
	       f.nsxx::float8 / f.n_days AS sxx, f.nsyy::float8 / f.n_days AS syy, f.nsxy::float8 / f.n_days AS sxy,
	       (f.sx / f.n_days)::float8 AS xbar, (f.sy / f.n_days)::float8 AS ybar
	WHERE f.n_days > 0) AS r ON true
WHERE k.kpi IS NOT NULL AND f.cur IS NOT NULL AND f.cur > 0
ORDER BY k.pf, k.cp, k.geo
$sql$;
	q := replace(replace(replace(q, '@fit@', fit_sql), '@ok@', ok_sql), '@noa@', quote_ident(ext_nsp));
	q := replace(q, '@src@', src_sql);      -- last: user identifiers are never rescanned

	RETURN QUERY EXECUTE q
		USING ref, window_days, model, expr[8] IS NOT NULL, expr[5] IS NOT NULL, expr[6] IS NOT NULL,
		      odd_cps, c_pf, c_cp, c_geo, c_rmin, c_rmax, c_cmin, c_cmax;
END;
$function$;

COMMENT ON FUNCTION @extschema@._campaign_state(regclass, date, integer, text, text, text, text, text, text, text,
                                                text, text, text, text, text, text) IS
	'internal (used by noa.waste and noa.recommendations): one row per campaign and geo with its current daily spend, value per conversion, spend-KPI slope with its residual sd, and fitted response curve (as text) on the KPI of its role';

-- The row of the valued campaign state (noa._valued_state): what the judge
-- of noa.waste and the planner of noa.recommendations read, passed between
-- them as an array so the state is computed once per call.
CREATE TYPE @extschema@._unit_state AS (
	platform          text,
	campaign_id       text,
	geo               text,
	campaign_role     text,
	awareness         boolean,
	kpi               text,
	currency          text,
	period_start      date,
	period_end        date,
	curve             text,
	n_days            bigint,
	current_spend     float8,
	window_days_seen  bigint,
	window_value      float8,
	value_per_unit    float8,
	avg_roas          float8,
	spend_p10         float8,
	spend_p90         float8,
	slope             float8,
	slope_se          float8,
	resid_sd          float8,
	spend_mean        float8,
	kpi_mean          float8,
	point_curve       text,
	no_role           boolean,
	value_source      text,
	incrementality_key text,
	factor            float8,
	factor_lo         float8,
	factor_hi         float8);
COMMENT ON TYPE @extschema@._unit_state IS
	'internal (used by noa.waste and noa.recommendations): one row of the valued campaign state (noa._valued_state)';

-- Internal: the rows of a state passed as an array.  Unlike unnest (which the
-- planner takes for 10 rows) it tells the planner to expect about a thousand
-- campaigns, so the joins over them hash instead of looping over every pair.
CREATE FUNCTION @extschema@._state_rows(state @extschema@._unit_state[]) RETURNS SETOF @extschema@._unit_state
LANGUAGE sql
IMMUTABLE
PARALLEL SAFE
STRICT
ROWS 1000
SET search_path = pg_catalog, pg_temp
AS $function$ SELECT * FROM pg_catalog.unnest(state) $function$;
COMMENT ON FUNCTION @extschema@._state_rows(@extschema@._unit_state[]) IS
	'internal (used by noa.waste and noa.recommendations): the rows of a campaign state passed as an array';

-- Internal: noa.waste's verdicts on a valued campaign state already computed
-- (the rows of noa._valued_state as an array), so noa.recommendations judges
-- the state it plans with instead of computing it again.  The arguments are
-- noa.waste's, checked by the caller; valued_on_models says whether KPI
-- models were given (incrementality), for the explanations.
CREATE FUNCTION @extschema@._waste_judge(
	state            @extschema@._unit_state[],
	window_days      integer,
	target_mroas     float8,
	level            float8,
	saturation_share float8,
	valued_on_models boolean)
RETURNS TABLE (
	waste_type              text,
	platform                text,
	campaign_id             text,
	geo                     text,
	campaign_role           text,
	kpi                     text,
	period_start            date,
	period_end              date,
	current_spend_per_day   numeric,
	threshold_spend_per_day numeric,
	threshold_lo            numeric,
	threshold_hi            numeric,
	spend_at_stake          numeric,
	spend_at_stake_lo       numeric,
	spend_at_stake_hi       numeric,
	value_lost              numeric,
	value_lost_lo           numeric,
	value_lost_hi           numeric,
	marginal_roas           float8,
	marginal_roas_lo        float8,
	marginal_roas_hi        float8,
	currency                text,
	confidence              text,
	explanation             text,
	value_source            text,
	incrementality_factor   float8,
	incrementality_factor_lo float8,
	incrementality_factor_hi float8)
LANGUAGE plpgsql
STABLE
PARALLEL RESTRICTED
CALLED ON NULL INPUT
COST 100000
ROWS 20
SET search_path = pg_catalog, pg_temp
SET jit = off               -- short generated queries: compiling them costs seconds and cannot be cancelled
AS $function$
DECLARE
	ext_nsp  name;
	p        float8;
	t        float8;
	z_one    float8;     -- one-sided normal quantile at level
	q        text;
BEGIN
	-- One-sided standard normal quantile at level (Abramowitz & Stegun 26.2.23,
	-- absolute error below 5e-4: ample for a decision threshold).
	p := 1 - level;
	t := sqrt(-2 * ln(p));
	z_one := t - (2.515517 + 0.802853 * t + 0.010328 * t * t)
	             / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);

	-- $1 the state, $2 window_days, $3 target_mroas, $4 level, $5 z_one,
	-- $6 valued on KPI models, $7 saturation_share.
	q := $sql$
WITH
st AS MATERIALIZED (SELECT s.* FROM @noa@._state_rows($1) AS s),
-- everything known per unit at its current daily spend
cu AS MATERIALIZED (
	SELECT row_number() OVER (ORDER BY s.platform, s.campaign_id, s.geo) AS uid, s.platform AS pf, s.campaign_id AS cp, s.geo, s.campaign_role AS role,
	       s.currency, s.kpi, s.awareness AS aware, s.curve::@noa@.curve AS c, s.n_days, s.current_spend AS cur,
	       s.window_days_seen AS win_days, s.spend_p10 AS p10, s.spend_p90 AS p90, s.avg_roas, s.window_value AS win_value,
	       s.value_per_unit AS v, s.n_days AS sl_n, s.slope AS beta, s.slope_se AS beta_se,
	       s.spend_mean AS xbar, s.kpi_mean AS ybar,
	       s.point_curve::@noa@.curve AS pc, s.no_role, s.value_source, s.incrementality_key AS f_key, s.factor AS f, s.factor_lo AS f_lo,
	       s.factor_hi AS f_hi,
	       @noa@.curve_status(s.curve::@noa@.curve) AS status,
	       (@noa@.curve_to_jsonb(s.curve::@noa@.curve) ->> 'at_bound')::boolean AS at_bound,
	       (@noa@.curve_to_jsonb(s.curve::@noa@.curve) ->> 'x_min')::float8 AS x_min,
	       (@noa@.curve_to_jsonb(s.curve::@noa@.curve) ->> 'x_max')::float8 AS x_max
	FROM st AS s
),
cm AS MATERIALIZED (
	SELECT u.*,
	       u.status IN ('converged', 'max_iterations') AS usable,
	       -- saturation is a property of the curve's shape: an incrementality factor does not move it
	       CASE WHEN u.status IN ('converged', 'max_iterations') THEN
	         @noa@.saturation_spend(u.pc, $7) END AS sat,
	       CASE WHEN u.status IN ('converged', 'max_iterations') THEN
	         @noa@.saturation_spend_lo(u.pc, $7, $4) END AS sat_lo,
	       CASE WHEN u.status IN ('converged', 'max_iterations') THEN
	         @noa@.saturation_spend_hi(u.pc, $7, $4) END AS sat_hi,
	       CASE WHEN u.v IS NOT NULL AND u.status IN ('converged', 'max_iterations') THEN
	         @noa@.breakeven_spend(u.c, $3, u.v) END AS be,
	       CASE WHEN u.v IS NOT NULL AND u.status IN ('converged', 'max_iterations') THEN
	         @noa@.breakeven_spend_lo(u.c, $3, u.v, $4) END AS be_lo,
	       CASE WHEN u.v IS NOT NULL AND u.status IN ('converged', 'max_iterations') THEN
	         @noa@.breakeven_spend_hi(u.c, $3, u.v, $4) END AS be_hi,
	       CASE WHEN u.v IS NOT NULL THEN @noa@.marginal_roas(u.c, u.cur, u.v) END AS m,
	       CASE WHEN u.v IS NOT NULL THEN @noa@.marginal_roas_lo(u.c, u.cur, u.v, $4) END AS m_lo,
	       CASE WHEN u.v IS NOT NULL THEN @noa@.marginal_roas_hi(u.c, u.cur, u.v, $4) END AS m_hi,
	       @noa@.response(u.c, u.cur) AS f_cur,
	       -- one-sided bounds of the slope at level (normal approximation)
	       u.beta - $5 * u.beta_se AS beta_lo,
	       u.beta + $5 * u.beta_se AS beta_hi
	FROM cu AS u
),
-- ---- flat KPI: no incremental value, or saturated below the spend observed ----
flat AS (
	SELECT m.*,
	       m.v * m.beta AS mv, m.v * m.beta_lo AS mv_lo, m.v * m.beta_hi AS mv_hi,
	       CASE WHEN m.ybar > 0 THEN m.beta_hi * m.xbar / m.ybar END AS el_hi,
	       -- judged on money: conversions with a value column (a campaign with no conversions at all returns 0)
	       m.kpi = 'conversions' AND m.avg_roas IS NOT NULL AS valued
	FROM cm AS m
	WHERE m.sl_n >= 28 AND m.beta_se IS NOT NULL
	  AND m.p10 > 0 AND m.p90 >= 1.25 * m.p10        -- spend varied enough for a slope to show
	  AND (m.beta_lo <= 0                               -- no significant rise
	       OR (m.v IS NOT NULL AND m.v * m.beta_hi < 0.1 * $3))   -- or a rise worth almost nothing
),
row_niv AS (
	SELECT 'no_incremental_value'::text AS waste_type, n.uid, n.pf, n.cp, n.geo, n.role, n.kpi, n.currency,
	       n.cur, 0::float8 AS thr, 0::float8 AS thr_lo, 0::float8 AS thr_hi,
	       n.cur * $2 AS stake, n.cur * $2 AS stake_lo, n.cur * $2 AS stake_hi,
	       CASE WHEN n.valued THEN $3 * n.cur * $2 END AS lost,
	       CASE WHEN n.valued THEN
	         greatest(0, $3 * n.cur * $2 - coalesce(n.win_value, 0) * $2 / greatest(n.win_days, 1)) END AS lost_lo,
	       CASE WHEN n.valued THEN $3 * n.cur * $2 END AS lost_hi,
	       n.mv AS m, n.mv_lo AS m_lo, n.mv_hi AS m_hi,
	       CASE WHEN n.sl_n >= 56 AND (n.mv_hi < 0.1 * $3 OR (n.v IS NULL AND coalesce(n.el_hi < 0.1, n.beta_hi <= 0)))
	            THEN 'high' ELSE 'medium' END AS confidence,
	       format('%s do not rise measurably with spend: over %s days, each extra 1,000%s a day goes with %s %s a day '
	              '(at most %s more at %s%% confidence)%s. %s %s',
	              initcap(n.kpi), n.sl_n, coalesce(' ' || n.currency, ''),
	              CASE WHEN n.beta >= 0 THEN round((1000 * n.beta)::numeric, 2) || ' more'
	                   ELSE round((-1000 * n.beta)::numeric, 2) || ' fewer' END, n.kpi,
	              round((1000 * n.beta_hi)::numeric, 2), trim_scale(round(($4 * 100)::numeric, 1)),
	              CASE WHEN n.v IS NOT NULL THEN format(', worth at most %s per unit of spend', round(n.mv_hi::numeric, 3))
	                   ELSE '' END,
	              CASE WHEN NOT n.valued
	                   THEN format('No incremental %s can be shown for the %s it spends in the period%s.',
	                               n.kpi, to_char(round((n.cur * $2)::numeric), 'FM999,999,999,990') || coalesce(' ' || n.currency, ''),
	                               CASE WHEN n.aware THEN format(' (awareness campaign: judged on %s, its reach KPI)', n.kpi) ELSE '' END)
	                   ELSE format('Even crediting it with every reported conversion it returns %s per unit of spend, '
	                               'below the target of %s: the %s it spends in the period buy no value that can be shown.',
	                               round(n.avg_roas::numeric, 2), round($3::numeric, 2),
	                               to_char(round((n.cur * $2)::numeric), 'FM999,999,999,990') || coalesce(' ' || n.currency, ''))
	              END,
	              'Pause it, or prove its effect with a holdout test first.') AS explanation
	FROM flat AS n
	-- valued: cut only when even the average return is a small part of the target; a
	-- campaign that brings real value but no slope is saturated, and capped (row_mfs)
	WHERE (n.valued AND n.avg_roas < 0.25 * $3)
	   -- without a value, a usable curve saturating below the spend observed explains a flat KPI
	   OR (NOT n.valued AND NOT coalesce(n.usable AND n.sat_hi < n.p10, false))
),
-- flat KPI, a real average return (at least a quarter of the target) and no
-- usable curve: saturated below the lowest spend regularly observed (10th
-- percentile of daily spend).  No slope at today's spend does not mean no
-- effect at a lower one, so such a campaign is capped there, not cut; its
-- break-even lies somewhere between 0 and that level.
row_mfs AS (
	SELECT 'past_saturation'::text AS waste_type, n.uid, n.pf, n.cp, n.geo, n.role, n.kpi, n.currency,
	       n.cur, n.p10 AS thr, 0::float8 AS thr_lo, n.p10 AS thr_hi,
	       (n.cur - n.p10) * $2 AS stake, (n.cur - n.p10) * $2 AS stake_lo, n.cur * $2 AS stake_hi,
	       greatest(0, $3 - greatest(n.mv, 0)) * (n.cur - n.p10) * $2 AS lost,
	       greatest(0, $3 - n.mv_hi) * (n.cur - n.p10) * $2 AS lost_lo,
	       greatest(0, $3 - greatest(n.mv_lo, 0)) * (n.cur - n.p10) * $2 AS lost_hi,
	       n.mv AS m, n.mv_lo AS m_lo, n.mv_hi AS m_hi,
	       CASE WHEN n.sl_n >= 56 AND n.mv_hi < 0.5 * $3 THEN 'high' ELSE 'medium' END AS confidence,
	       format('%s are flat across the spend observed: over %s days, each extra 1,000%s a day goes with %s %s a day '
	              '(at most %s more at %s%% confidence), worth at most %s per unit of spend, while the campaign as a whole '
	              'returns %s per unit. It is saturated below %s a day, the lowest spend it regularly ran at (its response '
	              'curve cannot place the point: %s; the cap''s interval is 0 to that level). At %s a day, the %s spent '
	              'above that level over the %s days buy no measurable value. Cap it and watch whether %s drop.%s',
	              initcap(n.kpi), n.sl_n, coalesce(' ' || n.currency, ''),
	              CASE WHEN n.beta >= 0 THEN round((1000 * n.beta)::numeric, 2) || ' more'
	                   ELSE round((-1000 * n.beta)::numeric, 2) || ' fewer' END, n.kpi,
	              round((1000 * n.beta_hi)::numeric, 2), trim_scale(round(($4 * 100)::numeric, 1)), round(n.mv_hi::numeric, 3),
	              round(n.avg_roas::numeric, 2), to_char(round(n.p10::numeric), 'FM999,999,999,990') || coalesce(' ' || n.currency, ''),
	              replace(coalesce(n.status, 'no curve'), '_', ' '),
	              to_char(round(n.cur::numeric), 'FM999,999,999,990') || coalesce(' ' || n.currency, ''),
	              to_char(round(((n.cur - n.p10) * $2)::numeric), 'FM999,999,999,990') || coalesce(' ' || n.currency, ''),
	              $2, n.kpi,
	              CASE WHEN n.avg_roas < $3
	                   THEN ' Its average return is below the target too, but its conversions come at the lowest spend '
	                        'as well: capping keeps them, cutting would lose them; test lower levels to find the break-even.'
	                   ELSE '' END) AS explanation
	FROM flat AS n
	WHERE n.v IS NOT NULL AND n.avg_roas >= 0.25 * $3 AND NOT coalesce(n.usable, false) AND n.cur > n.p10
),
-- ---- past break-even without a usable curve: the simplest model ------------------
-- The KPI rises with spend (not flat), but no response curve can be fitted.
-- A straight line through the daily data gives the marginal return; for any
-- concave response it overstates the return at today's spend, so when even
-- its upper bound is below the target the spend is past break-even.  The
-- break-even cannot be placed: the cap is the lowest spend regularly observed.
row_lin AS (
	SELECT 'past_breakeven'::text AS waste_type, m.uid, m.pf, m.cp, m.geo, m.role, m.kpi, m.currency,
	       m.cur, m.p10 AS thr, 0::float8 AS thr_lo, m.p10 AS thr_hi,
	       (m.cur - m.p10) * $2 AS stake, (m.cur - m.p10) * $2 AS stake_lo, m.cur * $2 AS stake_hi,
	       ($3 - m.v * m.beta) * (m.cur - m.p10) * $2 AS lost,
	       greatest(0, $3 - m.v * m.beta_hi) * (m.cur - m.p10) * $2 AS lost_lo,
	       ($3 - m.v * greatest(m.beta_lo, 0)) * (m.cur - m.p10) * $2 AS lost_hi,
	       m.v * m.beta AS m, m.v * m.beta_lo AS m_lo, m.v * m.beta_hi AS m_hi,
	       CASE WHEN m.avg_roas < $3 THEN 'medium' ELSE 'low' END AS confidence,
	       format('No response curve could be fitted (%s), so the simplest model the data support is used: a straight '
	              'line through the %s days gives each extra unit of spend %s of value (at most %s at %s%% confidence), '
	              'below the target of %s, and the campaign as a whole returns %s per unit. Spending %s a day is past '
	              'break-even; the break-even itself lies below %s a day, the lowest spend it regularly ran at (interval 0 '
	              'to that level). Capped there, it would save %s over the %s days for %s of value. Test lower levels to '
	              'place the break-even.',
	              replace(coalesce(m.status, 'no curve'), '_', ' '), m.sl_n,
	              round((m.v * m.beta)::numeric, 2), round((m.v * m.beta_hi)::numeric, 2),
	              trim_scale(round(($4 * 100)::numeric, 1)), round($3::numeric, 2), round(m.avg_roas::numeric, 2),
	              to_char(round(m.cur::numeric), 'FM999,999,999,990') || coalesce(' ' || m.currency, ''),
	              to_char(round(m.p10::numeric), 'FM999,999,999,990'),
	              to_char(round(((m.cur - m.p10) * $2)::numeric), 'FM999,999,999,990') || coalesce(' ' || m.currency, ''), $2,
	              to_char(round((m.v * m.beta * (m.cur - m.p10) * $2)::numeric), 'FM999,999,999,990')) AS explanation
	FROM cm AS m
	WHERE NOT m.usable AND m.v IS NOT NULL AND m.kpi = 'conversions'
	  AND m.sl_n >= 28 AND m.beta_se IS NOT NULL AND m.p10 > 0 AND m.cur > m.p10
	  AND m.beta_lo > 0 AND m.v * m.beta_hi < $3
	  AND m.uid NOT IN (SELECT f.uid FROM flat AS f)
),
-- a weak fit makes every curve-based verdict 'low'
cq AS (
	SELECT m.*,
	       (m.status <> 'converged' OR coalesce(m.at_bound, false) OR m.n_days < 56) AS weak
	FROM cm AS m
	WHERE m.usable AND m.uid NOT IN (SELECT r.uid FROM row_niv AS r)
),
-- ---- past break-even ----------------------------------------------------------------
pb AS (
	SELECT q.*,
	       greatest(coalesce(q.be_lo, q.be), 0) AS lo0,
	       least(coalesce(q.be_hi, q.be), q.cur) AS hi0,
	       @noa@.breakeven_spend_lo(q.pc, $3, q.v, $4) AS pbe_lo,
	       @noa@.breakeven_spend_hi(q.pc, $3, q.v, $4) AS pbe_hi
	FROM cq AS q
	WHERE q.v IS NOT NULL AND q.be IS NOT NULL AND q.cur > q.be
),
-- net loss against the target on the excess spend, integrated over a pointwise
-- band of marginal ROAS (midpoint rule, 40 steps)
pb_band AS (
	SELECT b.uid,
	       -- float8 sums in a fixed order (the step), whatever the plan
	       sum(greatest(0, $3 - coalesce(@noa@.marginal_roas_hi(b.c, b.hi0 + (b.cur - b.hi0) * (g.i + 0.5) / 40, b.v, $4), 0))
	           ORDER BY g.i)
	         * max(b.cur - b.hi0) / 40 AS lost_lo,
	       sum(greatest(0, $3 - coalesce(@noa@.marginal_roas_lo(b.c, b.lo0 + (b.cur - b.lo0) * (g.i + 0.5) / 40, b.v, $4), 0))
	           ORDER BY g.i)
	         * max(b.cur - b.lo0) / 40 AS lost_hi,
	       max(@noa@.marginal_roas_hi(b.c, b.x_min + (b.x_max - b.x_min) * g.i / 39.0, b.v, $4)) AS m_hi_max
	FROM pb AS b CROSS JOIN generate_series(0, 39) AS g(i)
	GROUP BY b.uid
),
pb_val AS (
	SELECT b.*, bb.m_hi_max,
	       greatest(0, $3 * (b.cur - b.be) - b.v * (b.f_cur - @noa@.response(b.c, b.be))) AS lost_d,
	       bb.lost_lo AS band_lo, bb.lost_hi AS band_hi,
	       -- whether the curve itself can place the break-even (an incrementality factor's doubt widens
	       -- the interval, not the curve's ability to place it: the point-factor curve judges that)
	       b.be > 0 AND (b.pbe_lo IS NULL OR b.pbe_hi IS NULL OR b.pbe_hi - b.pbe_lo > b.be
	                     OR b.be < 0.5 * b.x_min OR b.be > b.x_max) AS thr_weak
	FROM pb AS b JOIN pb_band AS bb ON bb.uid = b.uid
),
row_pb AS (
	SELECT 'past_breakeven'::text AS waste_type, b.uid, b.pf, b.cp, b.geo, b.role, b.kpi, b.currency,
	       b.cur, b.be AS thr, CASE WHEN b.be > 0 THEN greatest(b.be_lo, 0) ELSE 0 END AS thr_lo,
	       CASE WHEN b.be > 0 THEN b.be_hi ELSE 0 END AS thr_hi,
	       (b.cur - b.be) * $2 AS stake,
	       greatest(0, b.cur - coalesce(b.be_hi, b.be)) * $2 AS stake_lo,
	       (b.cur - least(b.lo0, b.be)) * $2 AS stake_hi,
	       b.lost_d * $2 AS lost,
	       least(b.band_lo, b.lost_d) * $2 AS lost_lo,
	       greatest(b.band_hi, b.lost_d) * $2 AS lost_hi,
	       b.m, b.m_lo, b.m_hi,
	       CASE WHEN b.weak OR b.thr_weak THEN 'low'
	            WHEN b.be > 0 AND b.be_hi < b.cur THEN 'high'
	            WHEN b.be = 0 AND b.m_hi_max < $3 THEN 'high'
	            ELSE 'medium' END AS confidence,
	       CASE WHEN b.be > 0 THEN
	         format('Spends %s a day; above %s a day (interval %s to %s) the next unit of spend returns less than %s '
	                '(marginal ROAS now %s, interval %s to %s, valuing a conversion at %s). Over the %s days the excess '
	                'spend of %s brought back %s of value: %s less than the target return.%s',
	                to_char(round(b.cur::numeric), 'FM999,999,999,990') || coalesce(' ' || b.currency, ''),
	                to_char(round(b.be::numeric), 'FM999,999,999,990'),
	                coalesce(to_char(round(greatest(b.be_lo, 0)::numeric), 'FM999,999,999,990'), '?'),
	                coalesce(to_char(round(b.be_hi::numeric), 'FM999,999,999,990'), '?'),
	                round($3::numeric, 2), coalesce(round(b.m::numeric, 2)::text, '?'),
	                coalesce(round(b.m_lo::numeric, 2)::text, '?'), coalesce(round(b.m_hi::numeric, 2)::text, '?'),
	                round(b.v::numeric, 2), $2,
	                to_char(round(((b.cur - b.be) * $2)::numeric), 'FM999,999,999,990') || coalesce(' ' || b.currency, ''),
	                to_char(round((b.v * (b.f_cur - @noa@.response(b.c, b.be)) * $2)::numeric), 'FM999,999,999,990'),
	                to_char(round((b.lost_d * $2)::numeric), 'FM999,999,999,990') || coalesce(' ' || b.currency, ''),
	                CASE WHEN b.weak OR b.thr_weak THEN ' The curve is uncertain here: test before acting.'
	                     ELSE format(' Capped at %s a day, its last unit of spend would return the target.',
	                                 to_char(round(b.be::numeric), 'FM999,999,999,990')) END)
	       ELSE
	         format('Spends %s a day, but at no spend level does the next unit return %s (best marginal ROAS seen %s, '
	                'valuing a conversion at %s): every unit of spend returns less than the target, %s lost over the %s days.%s',
	                to_char(round(b.cur::numeric), 'FM999,999,999,990') || coalesce(' ' || b.currency, ''), round($3::numeric, 2),
	                coalesce(round(b.m_hi_max::numeric, 2)::text, '?'), round(b.v::numeric, 2),
	                to_char(round((b.lost_d * $2)::numeric), 'FM999,999,999,990') || coalesce(' ' || b.currency, ''), $2,
	                CASE WHEN b.weak THEN ' The curve is uncertain: test before acting.' ELSE '' END)
	       END AS explanation
	FROM pb_val AS b
),
-- ---- past saturation --------------------------------------------------------------
ps AS (
	SELECT q.*,
	       @noa@.response(q.c, q.sat) AS f_sat,
	       CASE WHEN q.v IS NOT NULL THEN
	         $3 * (q.cur - q.sat) - q.v * (q.f_cur - @noa@.response(q.c, q.sat)) END AS lost_d,
	       q.sat_lo IS NULL OR q.sat_hi IS NULL OR q.sat_hi - q.sat_lo > q.sat
	         OR q.sat < 0.5 * q.x_min OR q.sat > q.x_max AS thr_weak
	FROM cq AS q
	WHERE q.sat IS NOT NULL AND q.sat > 0 AND q.cur > q.sat
),
row_ps AS (
	SELECT 'past_saturation'::text AS waste_type, s.uid, s.pf, s.cp, s.geo, s.role, s.kpi, s.currency,
	       s.cur, s.sat AS thr, s.sat_lo AS thr_lo, s.sat_hi AS thr_hi,
	       (s.cur - s.sat) * $2 AS stake,
	       greatest(0, s.cur - coalesce(s.sat_hi, s.sat)) * $2 AS stake_lo,
	       (s.cur - least(greatest(coalesce(s.sat_lo, s.sat), 0), s.sat)) * $2 AS stake_hi,
	       s.lost_d * $2 AS lost, NULL::float8 AS lost_lo, NULL::float8 AS lost_hi,
	       s.m, s.m_lo, s.m_hi,
	       CASE WHEN s.weak OR s.thr_weak THEN 'low'
	            WHEN s.sat_hi < s.cur THEN 'high'
	            ELSE 'medium' END AS confidence,
	       format('Spends %s a day, past the %s a day (interval %s to %s) at which %s reach %s%% of their maximum of about %s a day. '
	              'The last %s a day add %s %s a day (%s%% of the total)%s.%s',
	              to_char(round(s.cur::numeric), 'FM999,999,999,990') || coalesce(' ' || s.currency, ''),
	              to_char(round(s.sat::numeric), 'FM999,999,999,990'),
	              coalesce(to_char(round(s.sat_lo::numeric), 'FM999,999,999,990'), '?'),
	              coalesce(to_char(round(s.sat_hi::numeric), 'FM999,999,999,990'), '?'),
	              s.kpi, round(($7 * 100)::numeric),
	              CASE WHEN s.f_sat / $7 >= 100 THEN to_char(round((s.f_sat / $7)::numeric), 'FM999,999,999,990')
	                   ELSE round((s.f_sat / $7)::numeric, 1)::text END,
	              to_char(round((s.cur - s.sat)::numeric), 'FM999,999,999,990') || coalesce(' ' || s.currency, ''),
	              CASE WHEN s.f_cur - s.f_sat >= 100 THEN to_char(round((s.f_cur - s.f_sat)::numeric), 'FM999,999,999,990')
	                   ELSE round((s.f_cur - s.f_sat)::numeric, 1)::text END, s.kpi,
	              round((100 * (s.f_cur - s.f_sat) / nullif(s.f_cur, 0))::numeric, 1),
	              CASE WHEN s.aware THEN format(' (awareness campaign: judged on %s, its reach KPI, not on last-click conversions)', s.kpi)
	                   WHEN s.v IS NOT NULL THEN format(', worth %s over the %s days against %s spent',
	                        to_char(round((s.v * (s.f_cur - s.f_sat) * $2)::numeric), 'FM999,999,999,990') || coalesce(' ' || s.currency, ''),
	                        $2,
	                        to_char(round(((s.cur - s.sat) * $2)::numeric), 'FM999,999,999,990') || coalesce(' ' || s.currency, ''))
	                   ELSE '' END,
	              CASE WHEN s.weak OR s.thr_weak THEN ' The curve is uncertain here: test before acting.'
	                   ELSE format(' Capped at %s a day it would keep %s%% of its %s.',
	                               to_char(round(s.sat::numeric), 'FM999,999,999,990'),
	                               round((100 * s.f_sat / nullif(s.f_cur, 0))::numeric), s.kpi) END) AS explanation
	FROM ps AS s
	-- for value KPIs spend past saturation is waste only when it returns less than the target
	WHERE s.v IS NULL OR s.lost_d > 0
),
-- ---- over-invested geos -------------------------------------------------------------
geo_units AS (
	SELECT q.uid, q.geo, q.currency, q.cur, q.m, q.m_lo, q.m_hi, q.weak,
	       p.lost_d, p.band_lo, p.band_hi, p.be AS pbe, p.be_lo AS pbe_lo, p.be_hi AS pbe_hi
	FROM cq AS q LEFT JOIN pb_val AS p ON p.uid = q.uid
	WHERE q.geo IS NOT NULL AND q.v IS NOT NULL AND q.m IS NOT NULL AND q.m_lo IS NOT NULL AND q.m_hi IS NOT NULL
	UNION ALL
	-- saturated campaigns without a usable curve: marginal return from the slope
	SELECT r.uid, r.geo, r.currency, r.cur, greatest(r.m, 0), greatest(r.m_lo, 0), greatest(r.m_hi, 0), false,
	       r.lost / $2, r.lost_lo / $2, r.lost_hi / $2, r.thr, r.thr_lo, r.thr_hi
	FROM row_mfs AS r
	WHERE r.geo IS NOT NULL
),
geo_agg AS (
	SELECT g.geo, min(g.currency) AS currency, count(*) AS units, count(DISTINCT g.currency) AS ncur,
	       sum(g.cur ORDER BY g.uid) AS cur,
	       -- float8 sums in a fixed order (the unit), whatever the plan
	       sum(g.cur * g.m ORDER BY g.uid) / sum(g.cur ORDER BY g.uid) AS m,
	       sum(g.cur * g.m_lo ORDER BY g.uid) / sum(g.cur ORDER BY g.uid) AS m_lo,
	       sum(g.cur * g.m_hi ORDER BY g.uid) / sum(g.cur ORDER BY g.uid) AS m_hi,
	       sum(least(g.cur, coalesce(g.pbe, g.cur)) ORDER BY g.uid) AS thr,
	       sum(least(g.cur, coalesce(g.pbe_lo, g.pbe, g.cur)) ORDER BY g.uid) AS thr_lo,
	       sum(least(g.cur, coalesce(g.pbe_hi, g.pbe, g.cur)) ORDER BY g.uid) AS thr_hi,
	       sum(coalesce(g.lost_d, 0) ORDER BY g.uid) AS lost_d,
	       sum(coalesce(least(g.band_lo, g.lost_d), 0) ORDER BY g.uid) AS lost_lo_d,
	       sum(coalesce(greatest(g.band_hi, g.lost_d), 0) ORDER BY g.uid) AS lost_hi_d,
	       sum(g.cur ORDER BY g.uid) FILTER (WHERE g.weak) AS weak_cur,
	       count(*) FILTER (WHERE g.pbe IS NOT NULL AND g.cur > g.pbe) AS past_units
	FROM geo_units AS g
	GROUP BY g.geo
),
row_geo AS (
	SELECT 'over_invested_geo'::text AS waste_type, NULL::bigint AS uid, NULL::text AS pf, NULL::text AS cp, a.geo,
	       NULL::text AS role, 'conversions'::text AS kpi, a.currency,
	       a.cur, a.thr, a.thr_lo, a.thr_hi,
	       (a.cur - a.thr) * $2 AS stake, (a.cur - a.thr_hi) * $2 AS stake_lo, (a.cur - a.thr_lo) * $2 AS stake_hi,
	       a.lost_d * $2 AS lost, a.lost_lo_d * $2 AS lost_lo, a.lost_hi_d * $2 AS lost_hi,
	       a.m, a.m_lo, a.m_hi,
	       CASE WHEN coalesce(a.weak_cur, 0) > 0.5 * a.cur THEN 'low'
	            WHEN a.m_hi < $3 THEN 'high' ELSE 'medium' END AS confidence,
	       format('Across its %s campaigns judged on conversion value, %s spends %s a day with a spend-weighted marginal ROAS of %s '
	              '(interval %s to %s), below the target of %s: the next unit of spend in %s returns less than it costs. '
	              '%s of them are past break-even; bringing them back to it frees %s a day (%s over the %s days) '
	              'and saves %s of net loss.',
	              a.units, a.geo, to_char(round(a.cur::numeric), 'FM999,999,999,990') || coalesce(' ' || a.currency, ''),
	              round(a.m::numeric, 2), round(a.m_lo::numeric, 2), round(a.m_hi::numeric, 2), round($3::numeric, 2),
	              a.geo, a.past_units,
	              to_char(round((a.cur - a.thr)::numeric), 'FM999,999,999,990') || coalesce(' ' || a.currency, ''),
	              to_char(round(((a.cur - a.thr) * $2)::numeric), 'FM999,999,999,990') || coalesce(' ' || a.currency, ''), $2,
	              to_char(round((a.lost_d * $2)::numeric), 'FM999,999,999,990') || coalesce(' ' || a.currency, '')) AS explanation
	FROM geo_agg AS a
	WHERE a.units >= 2 AND a.ncur <= 1 AND a.m < $3 AND a.past_units > 0
),
allrows AS (
	SELECT * FROM row_niv UNION ALL SELECT * FROM row_mfs UNION ALL SELECT * FROM row_lin
	UNION ALL SELECT * FROM row_pb UNION ALL SELECT * FROM row_ps
	UNION ALL SELECT * FROM row_geo
)
SELECT a.waste_type, a.pf, a.cp, a.geo, a.role, a.kpi,
       (SELECT max(st.period_start) FROM st), (SELECT max(st.period_end) FROM st),
       round(a.cur::numeric, 2), round(a.thr::numeric, 2), round(a.thr_lo::numeric, 2), round(a.thr_hi::numeric, 2),
       round(a.stake::numeric, 2), round(a.stake_lo::numeric, 2), round(a.stake_hi::numeric, 2),
       round(a.lost::numeric, 2), round(a.lost_lo::numeric, 2), round(a.lost_hi::numeric, 2),
       a.m::float8, a.m_lo::float8, a.m_hi::float8,
       a.currency,
       -- a campaign without a role is judged as a conversion campaign: a guess, so never more than medium
       CASE WHEN u.no_role AND a.confidence = 'high' THEN 'medium' ELSE a.confidence END,
       a.explanation
         || CASE WHEN u.value_source = 'incremental_model'
                 THEN format(' Valued on incremental value: the platform''s conversions times %s (90%% interval %s to %s), '
                             'the incrementality of %s in the KPI model; spend as reported.',
                             round(u.f::numeric, 2), round(u.f_lo::numeric, 2), round(u.f_hi::numeric, 2), u.f_key)
                 WHEN $6 AND a.uid IS NOT NULL AND u.kpi = 'conversions'
                 THEN ' Valued on the platform''s reported conversions: the KPI model has no incrementality factor for it.'
                 ELSE '' END
         || CASE WHEN u.no_role
                 THEN ' The campaign has no role in the data (role_col): it is judged as a conversion campaign, so the '
                      'confidence is at most medium; an awareness or consideration campaign would be judged differently.'
                 ELSE '' END,
       CASE WHEN a.uid IS NULL
            THEN CASE (SELECT count(DISTINCT g.value_source) FROM cu AS g WHERE g.geo IS NOT DISTINCT FROM a.geo AND g.v IS NOT NULL)
                 WHEN 1 THEN (SELECT min(g.value_source) FROM cu AS g WHERE g.geo IS NOT DISTINCT FROM a.geo AND g.v IS NOT NULL)
                 ELSE 'mixed' END
            ELSE u.value_source END,
       u.f::float8, u.f_lo::float8, u.f_hi::float8
FROM allrows AS a LEFT JOIN cu AS u ON u.uid = a.uid
WHERE round(a.stake::numeric, 2) > 0
ORDER BY round(a.stake::numeric, 2) DESC, a.waste_type, a.pf NULLS FIRST, a.cp NULLS FIRST, a.geo NULLS FIRST
$sql$;

	SELECT n.nspname INTO ext_nsp
	FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
	WHERE e.extname = 'noa';
	q := replace(q, '@noa@', quote_ident(ext_nsp));

	RETURN QUERY EXECUTE q USING state, window_days, target_mroas, level, z_one, valued_on_models, saturation_share;
END;
$function$;
COMMENT ON FUNCTION @extschema@._waste_judge(@extschema@._unit_state[], integer, float8, float8, float8, boolean) IS
	'internal (used by noa.waste and noa.recommendations): noa.waste''s findings on a valued campaign state given as an array of its rows';

CREATE FUNCTION @extschema@.waste(
	source           regclass,
	target_mroas     float8  DEFAULT 1,
	level            float8  DEFAULT 0.9,
	window_days      integer DEFAULT 28,
	as_of            date    DEFAULT NULL,
	date_col         text    DEFAULT 'date_day',
	platform_col     text    DEFAULT 'platform',
	campaign_col     text    DEFAULT 'campaign_id',
	spend_col        text    DEFAULT 'spend',
	impressions_col  text    DEFAULT 'impressions',
	clicks_col       text    DEFAULT 'clicks',
	conversions_col  text    DEFAULT 'conversions',
	value_col        text    DEFAULT 'conversions_value',
	role_col         text    DEFAULT 'campaign_role',
	geo_col          text    DEFAULT 'geo',
	currency_col     text    DEFAULT 'currency',
	model            text    DEFAULT 'hill',
	saturation_share float8  DEFAULT 0.9,
	incrementality   regclass DEFAULT NULL,
	incrementality_by text   DEFAULT 'platform')
RETURNS TABLE (
	waste_type              text,
	platform                text,
	campaign_id             text,
	geo                     text,
	campaign_role           text,
	kpi                     text,
	period_start            date,
	period_end              date,
	current_spend_per_day   numeric,
	threshold_spend_per_day numeric,
	threshold_lo            numeric,
	threshold_hi            numeric,
	spend_at_stake          numeric,
	spend_at_stake_lo       numeric,
	spend_at_stake_hi       numeric,
	value_lost              numeric,
	value_lost_lo           numeric,
	value_lost_hi           numeric,
	marginal_roas           float8,
	marginal_roas_lo        float8,
	marginal_roas_hi        float8,
	currency                text,
	confidence              text,
	explanation             text,
	value_source            text,
	incrementality_factor   float8,
	incrementality_factor_lo float8,
	incrementality_factor_hi float8)
LANGUAGE plpgsql
STABLE
PARALLEL UNSAFE
CALLED ON NULL INPUT
COST 100000
ROWS 20
SET search_path = pg_catalog, pg_temp
SET jit = off               -- short generated queries: compiling them costs seconds and cannot be cancelled
AS $function$
DECLARE
	ext_nsp  name;
	q        text;
	err_state  text;
	err_msg    text;
	err_detail text;
	err_hint   text;
BEGIN
	IF target_mroas IS NULL OR NOT (target_mroas > 0 AND target_mroas < 1e6) THEN
		RAISE EXCEPTION 'noa.waste: target_mroas must be a positive number, got %', coalesce(target_mroas::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'target_mroas is the return the last unit of spend must bring back (1 = break-even on revenue; '
			             'e.g. 2.5 when only 40% of revenue is margin).';
	END IF;
	IF level IS NULL OR NOT (level >= 0.5 AND level < 1) THEN
		RAISE EXCEPTION 'noa.waste: level must be at least 0.5 and below 1, got %', coalesce(level::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'level is the confidence of the intervals and tests, e.g. 0.8, 0.9 (default) or 0.95.';
	END IF;
	IF saturation_share IS NULL OR NOT (saturation_share >= 0.5 AND saturation_share < 1) THEN
		RAISE EXCEPTION 'noa.waste: saturation_share must be at least 0.5 and below 1, got %',
			coalesce(saturation_share::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'saturation_share is the share of the maximum response that counts as saturated (default 0.9).';
	END IF;

	-- $1 source, $2 window_days, $3 target_mroas, $4 level, $5 as_of,
	-- $6 saturation_share, $7 model, $8 .. $18 the column arguments,
	-- $19 incrementality, $20 incrementality_by.
	q := $sql$
SELECT j.*
FROM @noa@._waste_judge(ARRAY(SELECT s FROM @noa@._valued_state($1, $5, $2, $7, $8, $9, $10, $11, $12, $13, $14, $15,
                                                                   $16, $17, $18, 'noa.waste', $19, $20) AS s),
                        $2, $3, $4, $6, $19 IS NOT NULL) AS j
$sql$;

	SELECT n.nspname INTO ext_nsp
	FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
	WHERE e.extname = 'noa';
	q := replace(q, '@noa@', quote_ident(ext_nsp));

	BEGIN
		RETURN QUERY EXECUTE q
			USING source, window_days, target_mroas, level, as_of, saturation_share, model,
			      date_col, platform_col, campaign_col, spend_col, impressions_col, clicks_col, conversions_col,
			      value_col, role_col, geo_col, currency_col, incrementality, incrementality_by;
	EXCEPTION WHEN OTHERS OR query_canceled THEN
		-- every error (argument errors found while reading the source, a
		-- permission denied, a statement timeout or cancel) leaves with its
		-- SQLSTATE, message, detail and hint but without the context naming
		-- the internal query (kilobytes of SQL a BI tool would show)
		GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_msg = MESSAGE_TEXT,
		                        err_detail = PG_EXCEPTION_DETAIL, err_hint = PG_EXCEPTION_HINT;
		EXECUTE format('SELECT %I._reraise($1, $2, $3, $4)', ext_nsp) USING err_state, err_msg, err_detail, err_hint;
	END;
END;
$function$;

COMMENT ON FUNCTION @extschema@.waste(regclass, float8, float8, integer, date, text, text, text, text, text, text,
                                      text, text, text, text, text, text, float8, regclass, text) IS
	'wasted ad spend per campaign and geo over the last window_days: spend past break-even (with the value lost), past saturation, with no incremental value, and over-invested geos; one flat row per finding with the threshold, amounts at stake with intervals, a confidence bucket, an explanation, and whether the value is as platforms report it or incremental (incrementality => KPI models)';
