
-- ---------------------------------------------------------------------------
-- Data-quality alarms: noa.data_quality(source, business, ...)
-- ---------------------------------------------------------------------------
--
-- Reads an ad-platform table or view (Fivetran ad_reporting column names by
-- default) and, optionally, the shop's own orders table, and returns one flat
-- row per problem found, with a plain-language explanation.
--
-- as_of is "as known on that day": rows of either table dated after it are
-- left out (except ad rows dated after today, which future_date reports
-- whatever the day), and staleness is measured against it (default today).
--
-- Security: the relation comes in as a regclass; columns are looked up in
-- pg_attribute and every identifier enters the dynamic SQL only through
-- format('%I'); constants enter through EXECUTE ... USING.  search_path is
-- pinned to pg_catalog, pg_temp.  The function runs as the caller (no
-- SECURITY DEFINER), so the caller's privileges and row-level security apply.
--
-- Labels: STABLE (reads tables and current_date, writes nothing).  PARALLEL
-- UNSAFE: it catches every error of its query in an EXCEPTION block (to
-- report it without the kilobytes of internal SQL in the error's context),
-- and a subtransaction is not allowed in parallel mode.  (Its own query may
-- still run in parallel.)

-- Internal: the lower tail P(X <= observed) of a count with mean `expected`
-- and variance dispersion * expected (Poisson at dispersion 1, negative
-- binomial above), in O(1) through GSL's regularised incomplete gamma and beta
-- functions; 0 when below the smallest double; NULL for negative or
-- non-finite input.
CREATE FUNCTION @extschema@._count_lower_tail(observed float8, expected float8, dispersion float8)
	RETURNS float8
	AS 'MODULE_PATHNAME', 'noa_count_lower_tail_sql'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._count_lower_tail(float8, float8, float8) IS
	'internal (used by noa.data_quality): P(X <= observed) for a Poisson (dispersion 1) or negative binomial count with the given mean';

-- Internal: Spearman correlation of one campaign's daily spend and
-- conversions and the p90 / p10 spread of its spend, over the days with
-- spend > 0 and conversions; see noa.data_quality's resp.
CREATE FUNCTION @extschema@._spend_response(spend float8[], conversions float8[],
                                            OUT n bigint, OUT rho float8, OUT spread float8)
	AS 'MODULE_PATHNAME', 'noa_spend_response_sql'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._spend_response(float8[], float8[]) IS
	'internal (used by noa.data_quality): rank correlation of daily spend and conversions over the days with spend > 0 and conversions (average ranks for ties) and the 90th / 10th percentile ratio of spend';

-- Internal: whether one ad row may fail a per-row check of noa.data_quality
-- (a measure negative, not finite or of magnitude 1e15 or more, a
-- fractional count, more clicks than impressions or conversions than clicks,
-- value without conversions, spend without impressions); NULLs are never
-- suspect.  One call evaluates each column once.
CREATE FUNCTION @extschema@._measures_suspect(spend numeric, impressions numeric, clicks numeric,
                                              conversions numeric, conversion_value numeric)
	RETURNS boolean
	AS 'MODULE_PATHNAME', 'noa_measures_suspect_sql'
	LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._measures_suspect(numeric, numeric, numeric, numeric, numeric) IS
	'internal (used by noa.data_quality): whether an ad row has a measure out of range, a fractional count or an impossible funnel';

-- Internal: the tracking-break candidate days of one campaign's daily series
-- (arrays of one element per day, in any order) with their reference; see
-- noa.data_quality's tb_hit.
CREATE FUNCTION @extschema@._break_candidates(days date[], spend float8[], conversions float8[])
	RETURNS TABLE (d date, ref_kind text, ref_sp float8, ref_cv float8, ref_disp float8)
	AS 'MODULE_PATHNAME', 'noa_break_candidates_sql'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION @extschema@._break_candidates(date[], float8[], float8[]) IS
	'internal (used by noa.data_quality): days of one campaign whose conversions fell below a quarter of those expected from the reference days before them';

-- Internal: the runs of missing days inside one campaign's daily series
-- (an array of its days, in any order); see noa.data_quality's gap.
CREATE FUNCTION @extschema@._day_gaps(days date[])
	RETURNS TABLE (first_day date, last_day date, days integer)
	AS 'MODULE_PATHNAME', 'noa_day_gaps_sql'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 1;
COMMENT ON FUNCTION @extschema@._day_gaps(date[]) IS
	'internal (used by noa.data_quality): the runs of days without a row between two days of one campaign with rows';

-- Internal: one campaign's rows as a daily series, for the checks in C.
CREATE TYPE @extschema@._day_series AS (
	days        date[],     -- sorted ascending
	spend       float8[],   -- NULL: no (finite) spend that day
	conversions float8[],
	repeated    bigint);    -- rows whose day another row has (0: one row per day)
COMMENT ON TYPE @extschema@._day_series IS
	'internal (used by noa.data_quality): a campaign''s days, spend and conversions sorted by day, and its rows that repeat a day';

CREATE FUNCTION @extschema@._collect_days_sfunc(internal, date, float8, float8) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_collect_days_add' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@._collect_days_combine(internal, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_collect_days_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@._collect_days_serial(internal) RETURNS bytea
	AS 'MODULE_PATHNAME', 'noa_collect_days_serial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@._collect_days_deserial(bytea, internal) RETURNS internal
	AS 'MODULE_PATHNAME', 'noa_collect_days_deserial' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@._collect_days_final(internal) RETURNS @extschema@._day_series
	AS 'MODULE_PATHNAME', 'noa_collect_days_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- The rows of a group (one campaign) as a daily series sorted by day; rows
-- without a day are ignored; NULL without rows.  Hashable (no sorted input
-- needed) with a compact state (SSPACE: two years of days).
CREATE AGGREGATE @extschema@._collect_days(day date, spend float8, conversions float8) (
	SFUNC = @extschema@._collect_days_sfunc,
	STYPE = internal,
	SSPACE = 17520,
	FINALFUNC = @extschema@._collect_days_final,
	COMBINEFUNC = @extschema@._collect_days_combine,
	SERIALFUNC = @extschema@._collect_days_serial,
	DESERIALFUNC = @extschema@._collect_days_deserial,
	PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@._collect_days(date, float8, float8) IS
	'internal (used by noa.data_quality): the rows of one campaign as its daily series sorted by day, with the rows that repeat a day';

-- Internal: the spend-spike days of one campaign's daily series (arrays of
-- one element per day, in any order; days without positive spend are left
-- out); see noa.data_quality's sp_z.
CREATE FUNCTION @extschema@._spike_days(days date[], spend float8[])
	RETURNS TABLE (d date, lsp float8, med float8, z float8)
	AS 'MODULE_PATHNAME', 'noa_spike_days_sql'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 2;
COMMENT ON FUNCTION @extschema@._spike_days(date[], float8[]) IS
	'internal (used by noa.data_quality): days of one campaign whose spend jumps far above the days with spend around them, with the robust z';

CREATE FUNCTION @extschema@.data_quality(
	source               regclass,
	business             regclass DEFAULT NULL,
	date_col             text     DEFAULT 'date_day',
	platform_col         text     DEFAULT 'platform',
	campaign_col         text     DEFAULT 'campaign_id',
	spend_col            text     DEFAULT 'spend',
	impressions_col      text     DEFAULT 'impressions',
	clicks_col           text     DEFAULT 'clicks',
	conversions_col      text     DEFAULT 'conversions',
	value_col            text     DEFAULT 'conversions_value',
	currency_col         text     DEFAULT 'currency',
	business_date_col    text     DEFAULT 'date_day',
	business_orders_col  text     DEFAULT 'orders',
	business_revenue_col text     DEFAULT 'revenue',
	as_of                date     DEFAULT NULL,
	max_staleness_days   integer  DEFAULT 3)
RETURNS TABLE (
	check_name     text,
	severity       text,
	platform       text,
	campaign_id    text,
	first_day      date,
	last_day       date,
	rows_affected  bigint,
	spend_affected numeric,   -- rounded to cents (typmods of result columns are not kept by PostgreSQL)
	currency       text,
	explanation    text)
LANGUAGE plpgsql
STABLE
PARALLEL UNSAFE
CALLED ON NULL INPUT
COST 10000
ROWS 20
SET search_path = pg_catalog, pg_temp
SET jit = off               -- short generated queries: compiling them costs seconds and cannot be cancelled
SET DateStyle = 'ISO, YMD'   -- dates inside explanations are always YYYY-MM-DD
SET enable_mergejoin = off  -- the joins of all rows with a few campaigns, and of the campaigns with each
SET enable_nestloop = off   -- other, must hash: the planner cannot see how few or how many rows its CTEs
                            -- hold and would sort every row (3.65M rows: 2 s) or loop over campaign pairs
AS $function$
DECLARE
	-- one entry per column argument: relation (1 = source, 2 = business),
	-- argument name, value, default, required, kind (date | number | text)
	arg_rel  int[]     := ARRAY[1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2];
	arg_name text[]    := ARRAY['date_col', 'platform_col', 'campaign_col', 'spend_col',
	                            'impressions_col', 'clicks_col', 'conversions_col', 'value_col',
	                            'currency_col', 'business_date_col', 'business_orders_col',
	                            'business_revenue_col'];
	arg_val  text[];
	arg_def  text[]    := ARRAY['date_day', 'platform', 'campaign_id', 'spend', 'impressions',
	                            'clicks', 'conversions', 'conversions_value', 'currency',
	                            'date_day', 'orders', 'revenue'];
	arg_req  boolean[] := ARRAY[true, false, true, true, false, false, false, false, false,
	                            true, false, false];
	arg_kind text[]    := ARRAY['date', 'text', 'text', 'number', 'number', 'number', 'number',
	                            'number', 'text', 'date', 'number', 'number'];
	arg_what text[]    := ARRAY['the date checks', 'per-platform grouping and the staleness check',
	                            'every per-campaign check', 'every spend check',
	                            'the clicks-vs-impressions and spend-without-impressions checks',
	                            'the clicks checks', 'the conversion and tracking-break checks',
	                            'the conversion-value checks', 'the currency checks',
	                            'the business comparison', 'the conversions-vs-orders comparison',
	                            'the value-vs-revenue comparison'];
	expr     text[]    := ARRAY[]::text[];   -- SQL expression per column argument
	notes    text[]    := ARRAY[]::text[];   -- info rows for skipped optional columns
	rel      regclass;
	rel_nsp  name;
	rel_name name;
	rel_kind "char";
	src_copy text;                        -- how the source is read: see raw0
	att_type oid;
	att_cat  "char";
	att_ci   text;
	att_name name;
	all_cols text;
	i        int;
	src_sql  text;
	biz_sql  text;
	ref_day  date := coalesce(as_of, current_date);
	ext_nsp  name;
	q        text;
	err_state  text;
	err_msg    text;
	err_detail text;
	err_hint   text;
BEGIN
	IF source IS NULL THEN
		RAISE EXCEPTION 'noa.data_quality: source must not be NULL'
			USING ERRCODE = 'null_value_not_allowed',
			      HINT = 'Pass the ad table or view, e.g. noa.data_quality(''ad_reporting.campaign_report'').';
	END IF;
	IF max_staleness_days IS NULL OR max_staleness_days < 0 THEN
		RAISE EXCEPTION 'noa.data_quality: max_staleness_days must be 0 or more, got %',
			coalesce(max_staleness_days::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'max_staleness_days is the number of days the newest row may lag behind as_of (default 3).';
	END IF;

	arg_val := ARRAY[date_col, platform_col, campaign_col, spend_col, impressions_col,
	                 clicks_col, conversions_col, value_col, currency_col,
	                 business_date_col, business_orders_col, business_revenue_col];

	-- Resolve both relations.
	FOR i IN 1 .. 2 LOOP
		rel := CASE i WHEN 1 THEN source ELSE business END;
		CONTINUE WHEN rel IS NULL;
		SELECT n.nspname, c.relname, c.relkind INTO rel_nsp, rel_name, rel_kind
		FROM pg_catalog.pg_class AS c
		JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
		WHERE c.oid = rel;
		IF rel_kind IS NULL OR rel_kind NOT IN ('r', 'v', 'm', 'f', 'p') THEN
			RAISE EXCEPTION 'noa.data_quality: % is not a table or view', rel
				USING ERRCODE = 'wrong_object_type',
				      HINT = format('Pass a table, view, materialized view or foreign table as %s.',
				                    CASE i WHEN 1 THEN 'source' ELSE 'business' END);
		END IF;
		IF i = 1 THEN
			src_sql := format('%I.%I', rel_nsp, rel_name);
			src_copy := CASE WHEN rel_kind IN ('r', 'm', 'p') THEN 'NOT MATERIALIZED' ELSE 'MATERIALIZED' END;
		ELSE
			biz_sql := format('%I.%I', rel_nsp, rel_name);
		END IF;
	END LOOP;

	-- Resolve every column argument.
	FOR i IN 1 .. pg_catalog.array_length(arg_name, 1) LOOP
		expr := expr || NULL::text;
		rel := CASE arg_rel[i] WHEN 1 THEN source ELSE business END;
		CONTINUE WHEN rel IS NULL;       -- no business table: its columns are not used
		IF arg_val[i] IS NULL THEN
			IF arg_req[i] THEN
				RAISE EXCEPTION 'noa.data_quality: % must not be NULL', arg_name[i]
					USING ERRCODE = 'null_value_not_allowed',
					      HINT = format('%s names a required column of %s (default %L).', arg_name[i], rel, arg_def[i]);
			END IF;
			CONTINUE;                    -- optional column switched off by the caller
		END IF;

		att_type := NULL;
		SELECT a.atttypid, a.attname INTO att_type, att_name
		FROM pg_catalog.pg_attribute AS a
		WHERE a.attrelid = rel
		  AND a.attname = arg_val[i]::name
		  AND a.attnum > 0 AND NOT a.attisdropped;

		IF att_type IS NULL THEN
			IF NOT arg_req[i] AND arg_val[i] = arg_def[i] THEN
				-- an optional column under its default name is simply absent
				notes := notes || format('Column %I (argument %s) is not in %s, so %s %s skipped. '
				                         'If the column exists under another name, pass %s => ''<name>''; '
				                         'pass %s => NULL to silence this note.',
				                         arg_val[i], arg_name[i], rel, arg_what[i],
				                         CASE WHEN arg_what[i] LIKE '%checks' OR arg_what[i] LIKE '%comparison' THEN 'were' ELSE 'was' END,
				                         arg_name[i], arg_name[i]);
				CONTINUE;
			END IF;
			SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY a.attnum),
			       pg_catalog.min(a.attname) FILTER (WHERE pg_catalog.lower(a.attname) = pg_catalog.lower(arg_val[i]))
			  INTO all_cols, att_ci
			FROM pg_catalog.pg_attribute AS a
			WHERE a.attrelid = rel AND a.attnum > 0 AND NOT a.attisdropped;
			RAISE EXCEPTION 'noa.data_quality: column % does not exist in %', pg_catalog.quote_ident(arg_val[i]), rel
				USING ERRCODE = 'undefined_column',
				      HINT = CASE WHEN att_ci IS NOT NULL
				                  THEN format('Column names are case-sensitive: did you mean %s => %L?', arg_name[i], att_ci)
				                  ELSE format('Pass the right column name with %s => ''<name>''. Columns of %s: %s.',
				                              arg_name[i], rel, coalesce(all_cols, '(none)')) END;
		END IF;

		SELECT CASE WHEN t.typtype = 'd' THEN bt.typcategory ELSE t.typcategory END
		  INTO att_cat
		FROM pg_catalog.pg_type AS t
		LEFT JOIN pg_catalog.pg_type AS bt ON bt.oid = t.typbasetype
		WHERE t.oid = att_type;

		IF arg_kind[i] = 'date' THEN
			IF att_cat IS DISTINCT FROM 'D' OR att_type = 'pg_catalog.time'::regtype
			   OR att_type = 'pg_catalog.timetz'::regtype THEN
				RAISE EXCEPTION 'noa.data_quality: column % of % has type %, expected date',
					pg_catalog.quote_ident(arg_val[i]), rel, pg_catalog.format_type(att_type, NULL)
					USING ERRCODE = 'datatype_mismatch',
					      HINT = format('Pass a date or timestamp column as %s, or a view that casts it to date.', arg_name[i]);
			END IF;
			expr[i] := format('(t.%I)::pg_catalog.date', att_name);
		ELSIF arg_kind[i] = 'number' THEN
			IF att_cat IS DISTINCT FROM 'N' THEN
				RAISE EXCEPTION 'noa.data_quality: column % of % has type %, expected a number',
					pg_catalog.quote_ident(arg_val[i]), rel, pg_catalog.format_type(att_type, NULL)
					USING ERRCODE = 'datatype_mismatch',
					      HINT = format('Pass a numeric column as %s, or a view that casts it (e.g. (metrics->>''spend'')::numeric).', arg_name[i]);
			END IF;
			expr[i] := format('(t.%I)::pg_catalog.numeric', att_name);
		ELSE
			expr[i] := format('(t.%I)::pg_catalog.text', att_name);
		END IF;
	END LOOP;

	-- The business rows, summed per day; an empty set when there is no business table.
	IF business IS NULL THEN
		biz_sql := 'SELECT NULL::pg_catalog.date AS d, NULL::pg_catalog.numeric AS orders, '
		           'NULL::pg_catalog.numeric AS revenue WHERE false';
	ELSE
		-- plausible dates and amounts only (the same bounds as the ad table's below)
		biz_sql := format('SELECT %1$s AS d, pg_catalog.sum(CASE WHEN %2$s > -1e15 AND %2$s < 1e15 THEN %2$s END) AS orders, '
		                  'pg_catalog.sum(CASE WHEN %3$s > -1e15 AND %3$s < 1e15 THEN %3$s END) AS revenue '
		                  'FROM %4$s AS t WHERE %1$s BETWEEN ''1900-01-01''::pg_catalog.date AND ''9999-12-31''::pg_catalog.date '
		                  'AND ($11 IS NULL OR %1$s <= $11) GROUP BY 1',
		                  expr[10], coalesce(expr[11], 'NULL::pg_catalog.numeric'),
		                  coalesce(expr[12], 'NULL::pg_catalog.numeric'), biz_sql);
	END IF;

	-- As known on as_of: rows dated after it are left out, except rows dated
	-- after today, which are wrong whatever the day (future_date reports them).
	src_sql := format(
		'SELECT %s AS d0, %s AS pf, %s AS cp, %s AS sp, %s AS im, %s AS cl, %s AS cv, %s AS va, %s AS cu FROM %s AS t '
		'WHERE NOT coalesce(%1$s > $11 AND %1$s <= CURRENT_DATE + 1, false)',
		expr[1], coalesce(expr[2], 'NULL::pg_catalog.text'), expr[3], expr[4],
		coalesce(expr[5], 'NULL::pg_catalog.numeric'), coalesce(expr[6], 'NULL::pg_catalog.numeric'),
		coalesce(expr[7], 'NULL::pg_catalog.numeric'), coalesce(expr[8], 'NULL::pg_catalog.numeric'),
		coalesce(expr[9], 'NULL::pg_catalog.text'), src_sql);

	-- The checks.  $1 = reference day for staleness, $2 = max_staleness_days,
	-- $3 = info notes, $4 = currency column present, $5 = business table given,
	-- $6..$10 = the user's names of the spend, impressions, clicks,
	-- conversions and value columns (for messages only), $11 = as_of.
	SELECT n.nspname INTO ext_nsp
	FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
	WHERE e.extname = 'noa';
	-- noa's own functions are called as @noa@.name, replaced before the user's
	-- identifiers enter (so they are never rescanned)
	q := format(replace($sql$
WITH
-- The source's rows.  A table is read again by each of the few passes below
-- (a scan is far cheaper than writing a copy of all rows); a view or a
-- foreign table is read once into a copy, so it runs once and every check
-- sees the same rows.  (Not fenced with OFFSET 0: the per-campaign pass
-- below then aggregates in parallel workers, partially, as a sharded engine
-- would on its shards.)
raw0 AS %s (%s),
-- Plausible values only below: a date outside 1900-01-01 .. 9999-12-31
-- (infinite, or too far out for date arithmetic) becomes NULL and is reported
-- by implausible_date; a measure that is NaN, infinite or of magnitude 1e15
-- or more becomes NULL and is reported by non_finite_value / extreme_value.
-- (an expression over raw0, not a copy: each pass below reads raw0 once)
raw AS NOT MATERIALIZED (
	SELECT r.*,
	       CASE WHEN r.d0 BETWEEN '1900-01-01' AND '9999-12-31' THEN r.d0 END AS d,
	       CASE WHEN r.sp > -1e15 AND r.sp < 1e15 THEN r.sp END AS fsp,
	       CASE WHEN r.im > -1e15 AND r.im < 1e15 THEN r.im END AS fim,
	       CASE WHEN r.cl > -1e15 AND r.cl < 1e15 THEN r.cl END AS fcl,
	       CASE WHEN r.cv > -1e15 AND r.cv < 1e15 THEN r.cv END AS fcv,
	       CASE WHEN r.va > -1e15 AND r.va < 1e15 THEN r.va END AS fva,
	       CASE WHEN r.pf IS NULL THEN 'n' ELSE 'p' || length(r.pf) || ':' || r.pf END || r.cp AS k,
	       -- the row may fail a per-row check: no key, an implausible or
	       -- future date, a bad value (not finite, extreme, negative, a
	       -- fractional count) or an inconsistent funnel
	       r.cp IS NULL OR r.d0 IS NULL OR NOT r.d0 BETWEEN '1900-01-01' AND current_date + 1
	       OR @noa@._measures_suspect(r.sp, r.im, r.cl, r.cv, r.va) AS is_odd
	FROM raw0 AS r
),
-- One hashed pass over all rows per platform, campaign and currency (one or
-- a few groups per campaign): row counts, spend and date range for the currency,
-- staleness and missing-spend checks and the list of campaigns, whether any
-- row may fail a per-row check, and the rows with a plausible date as a
-- daily series sorted by day (noa._collect_days, in C) with the number of
-- rows that repeat a day.  For a campaign with one currency and no repeats
-- each row is a day, so its series is final; the others take the careful
-- path below.  (Spend and conversions enter the series as float8, NULL when
-- not finite or of magnitude 1e15 and more; the exact numeric amounts the
-- checks report come back from them exactly for any amount of up to 15
-- significant digits.)  This and the careful campaigns' days are the first
-- step, which a sharded engine can run on each shard.
pcs AS MATERIALIZED (
	SELECT g.pf, g.cp, g.cu, g.n, g.nsp, g.s, g.d1, g.d2, g.has_odd,
	       CASE WHEN g.pf IS NULL THEN 'n' ELSE 'p' || length(g.pf) || ':' || g.pf END || g.cp AS k,
	       (g.ser).days AS ds, (g.ser).spend AS sps, (g.ser).conversions AS cvs, (g.ser).repeated AS rep
	FROM (SELECT pf, cp, cu, count(*) AS n, count(sp) AS nsp, sum(fsp) AS s, min(d) AS d1, max(d) AS d2,
	             bool_or(is_odd) AS has_odd, @noa@._collect_days(d, fsp::float8, fcv::float8) AS ser
	      FROM raw GROUP BY pf, cp, cu) AS g
),
-- the same without the series, read by many checks
pcu AS MATERIALIZED (
	SELECT pf, cp, cu, n, nsp, s, d1, d2, has_odd FROM pcs
),
-- one row per campaign (platform and campaign id), numbered in their order;
-- its currency when it has exactly one.  k encodes platform (NULL apart from
-- every text) and campaign id in one text; grouped by it, the planner knows
-- it is unique and looks rows up in a hash of the few campaigns.
camp AS NOT MATERIALIZED (
	SELECT row_number() OVER (ORDER BY min(pf), min(cp)) AS cid, k, min(pf) AS pf, min(cp) AS cp,
	       CASE WHEN min(cu) = max(cu) THEN min(cu) END AS cur, count(*) AS n_cur
	FROM (SELECT CASE WHEN pf IS NULL THEN 'n' ELSE 'p' || length(pf) || ':' || pf END || cp AS k, pf, cp, cu
	      FROM pcu WHERE cp IS NOT NULL) AS p
	GROUP BY k
),
-- The rare rows that may fail a per-row check, with their campaign: every
-- per-row check reads these instead of all rows (and on clean data, where
-- pcu found none, the rows are not read again at all).
odd AS MATERIALIZED (
	SELECT r.*, c.cid
	FROM raw AS r
	LEFT JOIN camp AS c ON c.k = r.k
	WHERE (SELECT bool_or(p.has_odd) FROM pcu AS p) AND r.is_odd
),
tcur AS (SELECT CASE WHEN min(cu) = max(cu) THEN min(cu) END AS cur FROM pcu),
-- the campaigns that take the careful path: a day with more than one row
-- (copies or finer rows) or rows in more than one currency (NULL included);
-- it reads only their rows, and only when there are some
careful AS MATERIALIZED (
	SELECT c.cid, c.k, c.pf, c.cp FROM camp AS c
	WHERE c.n_cur > 1 OR c.k IN (SELECT p.k FROM pcs AS p WHERE p.rep > 0)
),
-- (their rows: each row's campaign id is looked up in a hash of theirs, as a
-- filter, so the planner cannot turn it into a join that sorts every row)
careful_rows AS MATERIALIZED (
	SELECT c.cid, r.d, r.sp, r.im, r.cl, r.cv, r.va, r.cu, r.fsp, r.fcv, r.fva
	FROM (SELECT * FROM raw AS r
	      WHERE r.d IS NOT NULL AND (r.cp IN (SELECT c.cp FROM careful AS c)) IS TRUE
	        AND EXISTS (SELECT 1 FROM careful)) AS r
	JOIN careful AS c ON c.cp = r.cp AND c.pf IS NOT DISTINCT FROM r.pf
),
-- Their rows per day: the number of rows with copies (n_raw) and their sums
-- (for duplicate_rows).
day_raw AS MATERIALIZED (
	SELECT r.cid, r.d, count(*) AS n_raw, sum(r.fsp) AS s_raw, sum(r.fcv) AS c_raw, sum(r.fva) AS va_raw
	FROM careful_rows AS r
	GROUP BY r.cid, r.d
),
-- identical copies of a row (reported by duplicate_rows) count once below:
-- only days with more than one row can hold copies, so only their rows are
-- deduplicated (n = distinct rows of the day; smax, cmax = the largest spend
-- and conversions of the day's rows, for duplicate_rows)
day_dd AS (
	SELECT x.cid, x.d, sum(x.fsp) AS sp, sum(x.fcv) AS cv, sum(x.fva) AS va, count(*) AS n,
	       max(x.fsp) AS smax, max(x.fcv) AS cmax
	FROM (SELECT DISTINCT r.*
	      FROM careful_rows AS r
	      WHERE (r.cid, r.d) IN (SELECT g.cid, g.d FROM day_raw AS g WHERE g.n_raw > 1)) AS x
	GROUP BY x.cid, x.d
),
-- The careful campaigns' days, finite values only: sp, cv, va = sums over
-- distinct rows (the few days with copies look their sums up in day_dd).
daily_careful AS MATERIALIZED (
	SELECT g.cid, g.d,
	       CASE WHEN g.n_raw = 1 THEN g.s_raw ELSE (SELECT x.sp FROM day_dd AS x WHERE x.cid = g.cid AND x.d = g.d) END AS sp,
	       CASE WHEN g.n_raw = 1 THEN g.c_raw ELSE (SELECT x.cv FROM day_dd AS x WHERE x.cid = g.cid AND x.d = g.d) END AS cv,
	       CASE WHEN g.n_raw = 1 THEN g.va_raw ELSE (SELECT x.va FROM day_dd AS x WHERE x.cid = g.cid AND x.d = g.d) END AS va
	FROM day_raw AS g
),
-- One row per campaign with its daily series (days, spend, conversions as
-- arrays, one element per day); every per-campaign check reads this.  The C
-- functions sort a series by day themselves when it is not (the careful
-- campaigns'), so no plan or row order changes a result.
ser AS MATERIALIZED (
	SELECT c.cid, p.ds, p.sps, p.cvs
	FROM pcs AS p JOIN camp AS c ON c.k = p.k
	WHERE p.cp IS NOT NULL AND p.rep = 0 AND c.n_cur = 1
	UNION ALL
	SELECT cid, array_agg(d), array_agg(sp::float8), array_agg(cv::float8)
	FROM daily_careful GROUP BY cid
),
money AS (SELECT 'FM999,999,999,999,990.00'::text AS fmt),
-- ---- duplicate rows for the same day and campaign -------------------------
-- (variants: distinct rows of the day; identical copies only when 1)
dup_day AS (
	SELECT g.cid, g.d, g.n_raw AS n, x.n AS variants, g.s_raw AS s, x.smax, g.c_raw AS c, x.cmax
	FROM day_raw AS g JOIN day_dd AS x ON x.cid = g.cid AND x.d = g.d
	WHERE g.n_raw > 1
),
chk_dup AS (
	SELECT CASE WHEN x.identical THEN 'duplicate_rows' ELSE 'duplicate_keys' END AS check_name,
	       CASE WHEN x.identical THEN 'error' ELSE 'warning' END AS severity,
	       x.cid, min(x.d) AS first_day, max(x.d) AS last_day,
	       sum(x.n - 1) AS rows_affected,
	       CASE WHEN x.identical THEN sum(x.s - x.smax) ELSE sum(x.s) END AS spend_affected,
	       CASE WHEN x.identical THEN
	         format('%%s the campaign has %%s extra identical row(s) (%%s day(s) affected), so totals count %%s of '
	                'spend and %%s conversion(s) twice. Deduplicate the loader output (e.g. SELECT DISTINCT in a '
	                'staging view) before analysing.',
	                CASE WHEN min(x.d) = max(x.d) THEN 'On ' || min(x.d)
	                     ELSE 'Between ' || min(x.d) || ' and ' || max(x.d) END,
	                sum(x.n - 1), count(*),
	                to_char(round(coalesce(sum(x.s - x.smax), 0), 2), (SELECT fmt FROM money)) || coalesce(' ' || min(c.cur), ''),
	                trim_scale(round(coalesce(sum(x.c - x.cmax), 0), 2)))
	       ELSE
	         format('%%s the campaign has %%s rows with different values on %%s day(s), %%s more than one per day '
	                '(spend on those days %%s). The table is finer than one row per day and campaign (e.g. per ad '
	                'group or country), or a restatement was appended: aggregate to day x campaign in a view, or '
	                'remove the stale version.',
	                CASE WHEN min(x.d) = max(x.d) THEN 'On ' || min(x.d)
	                     ELSE 'Between ' || min(x.d) || ' and ' || max(x.d) END,
	                sum(x.n), count(*), sum(x.n - 1),
	                to_char(round(coalesce(sum(x.s), 0), 2), (SELECT fmt FROM money)) || coalesce(' ' || min(c.cur), ''))
	       END AS explanation
	FROM (SELECT dd.*, dd.variants = 1 AS identical FROM dup_day dd) AS x
	JOIN camp c ON c.cid = x.cid
	GROUP BY x.cid, x.identical
),
-- ---- missing days inside a campaign's active range ------------------------
gap AS (
	SELECT s.cid, g.first_day AS g1, g.last_day AS g2, g.days FROM ser AS s CROSS JOIN LATERAL @noa@._day_gaps(s.ds) AS g
),
camp_med AS (
	SELECT s.cid, (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x) FROM unnest(s.sps) AS x WHERE x IS NOT NULL) AS med_sp
	FROM ser s WHERE s.cid IN (SELECT cid FROM gap)
),
chk_gap AS (
	SELECT 'missing_days'::text AS check_name, 'warning'::text AS severity, g.cid,
	       g.g1 AS first_day, g.g2 AS last_day, g.days::bigint AS rows_affected, NULL::numeric AS spend_affected,
	       format('No rows %%s (%%s day(s)) although the campaign has rows before and after; at its median of %%s '
	              'a day about %%s of spend may be missing. Re-sync the connector for these dates; if the campaign '
	              'was really paused, load rows with spend 0.',
	              CASE WHEN g.g1 = g.g2 THEN 'on ' || g.g1 ELSE 'from ' || g.g1 || ' to ' || g.g2 END, g.days,
	              coalesce(to_char(round(m.med_sp::numeric, 2), (SELECT fmt FROM money)) || coalesce(' ' || c.cur, ''), 'unknown'),
	              coalesce(to_char(round((m.med_sp * g.days)::numeric, 2), (SELECT fmt FROM money)) || coalesce(' ' || c.cur, ''), 'an unknown amount')) AS explanation
	FROM gap g JOIN camp c ON c.cid = g.cid LEFT JOIN camp_med m ON m.cid = g.cid
),
-- ---- negative, NaN / infinite and impossible values ------------------------
vals AS (
	SELECT r.cid, r.d, r.fsp, v.col, v.role, v.x
	FROM odd r
	CROSS JOIN LATERAL (VALUES ($6, 'spend', r.sp), ($7, 'impressions', r.im), ($8, 'clicks', r.cl),
	                           ($9, 'conversions', r.cv), ($10, 'conversions_value', r.va)) AS v(col, role, x)
	WHERE r.cp IS NOT NULL AND v.x IS NOT NULL
	  -- only rows with some value out of range or a fractional count (most rows have none)
	  AND (NOT coalesce(r.sp >= 0 AND r.sp < 1e15, true) OR NOT coalesce(r.cv >= 0 AND r.cv < 1e15, true)
	       OR NOT coalesce(r.va >= 0 AND r.va < 1e15, true)
	       OR coalesce(CASE WHEN r.im >= 0 AND r.im < 1e15 THEN r.im <> trunc(r.im) ELSE true END, false)
	       OR coalesce(CASE WHEN r.cl >= 0 AND r.cl < 1e15 THEN r.cl <> trunc(r.cl) ELSE true END, false))
),
bad_val AS (
	SELECT cid, col, role, kind, count(*) AS n, min(d) AS d1, max(d) AS d2, sum(abs(fsp)) AS s, min(x) AS xmin,
	       max(abs(x)) AS xabs
	FROM (SELECT vals.*,
	             CASE WHEN NOT (x > '-Infinity' AND x < 'Infinity') THEN 'non_finite_value'
	                  WHEN abs(x) >= 1e15 THEN 'extreme_value'
	                  WHEN x < 0 THEN 'negative_value'
	                  WHEN role IN ('impressions', 'clicks') AND x <> trunc(x) THEN 'fractional_count'
	             END AS kind
	      FROM vals) AS z
	WHERE kind IS NOT NULL
	GROUP BY cid, col, role, kind
),
chk_val AS (
	SELECT b.kind AS check_name,
	       CASE WHEN b.kind = 'fractional_count' THEN 'warning' ELSE 'error' END AS severity,
	       b.cid, b.d1 AS first_day, b.d2 AS last_day, b.n AS rows_affected, b.s AS spend_affected,
	       CASE b.kind
	       WHEN 'non_finite_value' THEN
	         format('%%s row(s) %%s have NaN or infinite %%s. Such values poison every sum and fit '
	                'and break BI clients; fix the source or replace them with NULL in a staging view.',
	                b.n, CASE WHEN b.d1 = b.d2 THEN 'on ' || b.d1 ELSE 'between ' || b.d1 || ' and ' || b.d2 END, quote_ident(b.col))
	       WHEN 'extreme_value' THEN
	         format('%%s row(s) %%s have %%s of magnitude 1e15 or more (up to %%s), which no real day reaches: a '
	                'unit error, an overflowing loader or a placeholder value. These rows are left out of every other '
	                'check; fix the source or replace the values with NULL in a staging view.',
	                b.n, CASE WHEN b.d1 = b.d2 THEN 'on ' || b.d1 ELSE 'between ' || b.d1 || ' and ' || b.d2 END,
	                quote_ident(b.col), btrim(to_char(b.xabs, '9.9EEEE')))
	       WHEN 'negative_value' THEN
	         format('%%s row(s) %%s have negative %%s (lowest %%s). Spend, counts and values cannot be '
	                'negative; refunds or credits belong in a separate adjustment, not in the daily report. Fix or '
	                'exclude these rows.',
	                b.n, CASE WHEN b.d1 = b.d2 THEN 'on ' || b.d1 ELSE 'between ' || b.d1 || ' and ' || b.d2 END, quote_ident(b.col), trim_scale(round(b.xmin, 2)))
	       ELSE
	         format('%%s row(s) %%s have a fractional number of %%s, which must be whole counts. '
	                'Check the unit of the column (a rate or an average instead of a count?).',
	                b.n, CASE WHEN b.d1 = b.d2 THEN 'on ' || b.d1 ELSE 'between ' || b.d1 || ' and ' || b.d2 END, quote_ident(b.col))
	       END AS explanation
	FROM bad_val b
),
chk_key AS (
	SELECT 'missing_key'::text AS check_name, 'error'::text AS severity, NULL::bigint AS cid,
	       min(d) AS first_day, max(d) AS last_day, count(*) AS rows_affected, sum(fsp) AS spend_affected,
	       format('%%s row(s) have no date or no campaign id (%%s of spend); they cannot be attributed to a campaign-day '
	              'and are left out of every per-campaign check. Fix the join or filter in the source view.',
	              count(*), to_char(round(coalesce(sum(fsp), 0), 2), (SELECT fmt FROM money)) || coalesce(' ' || (SELECT cur FROM tcur), '')) AS explanation
	FROM odd WHERE d0 IS NULL OR cp IS NULL
	HAVING count(*) > 0
),
-- ---- spend missing altogether ------------------------------------------------
chk_nospend_all AS (
	SELECT 'missing_spend'::text AS check_name, 'error'::text AS severity, NULL::bigint AS cid,
	       min(d1) AS first_day, max(d2) AS last_day, sum(n)::bigint AS rows_affected, NULL::numeric AS spend_affected,
	       format('Column %%s is empty (NULL) on all %%s rows of the table: no spend check, response curve, waste '
	              'finding or budget advice is possible. Check the column mapping (spend_col) or the connector''s '
	              'spend field.', quote_ident($6), sum(n)) AS explanation
	FROM pcu HAVING sum(n) > 0 AND sum(nsp) = 0
),
chk_nospend AS (
	SELECT 'missing_spend'::text AS check_name, 'warning'::text AS severity, c.cid,
	       min(p.d1) AS first_day, max(p.d2) AS last_day, sum(p.n)::bigint AS rows_affected, NULL::numeric AS spend_affected,
	       format('Column %%s is empty (NULL) on all %%s rows of this campaign, although other campaigns report '
	              'spend: it gets no curve, waste finding or budget advice. Check how its spend is loaded.',
	              quote_ident($6), sum(p.n)) AS explanation
	FROM pcu AS p JOIN camp AS c ON c.cp = p.cp AND c.pf IS NOT DISTINCT FROM p.pf
	GROUP BY c.cid
	HAVING sum(p.nsp) = 0 AND (SELECT sum(q.nsp) FROM pcu AS q) > 0
),
chk_date AS (
	SELECT 'implausible_date'::text AS check_name, 'error'::text AS severity, cid,
	       NULL::date AS first_day, NULL::date AS last_day, count(*) AS rows_affected, sum(fsp) AS spend_affected,
	       format('%%s row(s) are dated %%s, outside 1900-01-01 to 9999-12-31: an infinite date, a placeholder or a '
	              'broken date conversion. These rows are left out of every other check; fix the date column.',
	              count(*), CASE WHEN min(d0) = max(d0) THEN min(d0)::text ELSE 'from ' || min(d0) || ' to ' || max(d0) END) AS explanation
	FROM odd WHERE cp IS NOT NULL AND d0 IS NOT NULL AND d IS NULL
	GROUP BY cid
),
chk_future AS (
	SELECT 'future_date'::text AS check_name, 'error'::text AS severity, cid,
	       min(d) AS first_day, max(d) AS last_day, count(*) AS rows_affected, sum(fsp) AS spend_affected,
	       format('%%s row(s) are dated after today (%%s, latest %%s). Dates cannot lie in the future: check the date '
	              'column and its time zone.', count(*), current_date, max(d)) AS explanation
	FROM odd WHERE cp IS NOT NULL AND d > current_date + 1
	GROUP BY cid
),
-- ---- inconsistent funnels ---------------------------------------------------
funnel AS (
	SELECT cid, 'clicks_exceed_impressions'::text AS check_name, 'error'::text AS severity, d, fsp,
	       fcl / NULLIF(fim, 0) AS ratio
	FROM odd WHERE cp IS NOT NULL AND fcl > fim
	UNION ALL
	SELECT cid, 'conversions_exceed_clicks', 'warning', d, fsp, fcv / NULLIF(fcl, 0)
	FROM odd WHERE cp IS NOT NULL AND fcv > fcl
	UNION ALL
	SELECT cid, 'value_without_conversions', 'warning', d, fsp, NULL
	FROM odd WHERE cp IS NOT NULL AND fva > 0 AND fcv = 0
	UNION ALL
	SELECT cid, 'spend_without_impressions', 'warning', d, fsp, NULL
	FROM odd WHERE cp IS NOT NULL AND fsp > 0 AND fim = 0
),
chk_funnel AS (
	SELECT f.check_name, min(f.severity) AS severity, f.cid, min(f.d) AS first_day, max(f.d) AS last_day,
	       count(*) AS rows_affected, sum(f.fsp) AS spend_affected,
	       CASE f.check_name
	       WHEN 'clicks_exceed_impressions' THEN
	         format('%%s row(s) %%s report more %%s than %%s (up to %%s times as many), which is impossible. '
	                'The columns are probably swapped or taken from different ad levels; fix the source.',
	                count(*), CASE WHEN min(f.d) = max(f.d) THEN 'on ' || min(f.d) ELSE 'between ' || min(f.d) || ' and ' || max(f.d) END, quote_ident($8), quote_ident($7), coalesce(round(max(f.ratio), 2)::text, 'infinitely'))
	       WHEN 'conversions_exceed_clicks' THEN
	         format('%%s row(s) %%s report more %%s than %%s (up to %%s times as many). '
	                'View-through or cross-device conversions can do this, but usually clicks are under-reported or '
	                'conversions double-counted; check the attribution settings before trusting conversion rates.',
	                count(*), CASE WHEN min(f.d) = max(f.d) THEN 'on ' || min(f.d) ELSE 'between ' || min(f.d) || ' and ' || max(f.d) END, quote_ident($9), quote_ident($8), coalesce(round(max(f.ratio), 2)::text, 'infinitely'))
	       WHEN 'value_without_conversions' THEN
	         format('%%s row(s) %%s have %%s above 0 but 0 %%s. Value without conversions points to a '
	                'broken conversion mapping (value and count taken from different actions); fix the mapping.',
	                count(*), CASE WHEN min(f.d) = max(f.d) THEN 'on ' || min(f.d) ELSE 'between ' || min(f.d) || ' and ' || max(f.d) END, quote_ident($10), quote_ident($9))
	       ELSE
	         format('%%s row(s) %%s have spend (%%s in total) but 0 %%s. Spend without delivery is '
	                'usually a fee, a late billing adjustment or a broken join; check these rows before using them in curves.',
	                count(*), CASE WHEN min(f.d) = max(f.d) THEN 'on ' || min(f.d) ELSE 'between ' || min(f.d) || ' and ' || max(f.d) END,
	                to_char(round(coalesce(sum(f.fsp), 0), 2), (SELECT fmt FROM money)) || coalesce(' ' || min(c.cur), ''),
	                quote_ident($7))
	       END AS explanation
	FROM funnel f JOIN camp c ON c.cid = f.cid
	GROUP BY f.check_name, f.cid
),
-- ---- tracking break: conversions collapse while spend continues ----------
-- Reference for a day: the median spend and median conversions of the days,
-- among the 56 before it, whose spend was within a factor 1.5 of its own
-- (at least 7 such days); failing that, of all of the 28 days before it
-- (at least 14 days with data).
-- A day is low when it has spend and fewer than a quarter of the conversions
-- expected from its reference.  Expected conversions fall with spend at most
-- with elasticity 3 (ref_cv * min(1, sp / ref_sp)^3: a lower bound for any Hill
-- curve with shape s <= 3) and never rise above the reference, so lower spend
-- or saturation alone cannot make a day low.  The reference (median spend and
-- conversions of the similar or all days, their over-dispersion) and the test
-- run in C over each campaign's series (noa._break_candidates): one pass,
-- at most 56 days per window.
tb_hit AS MATERIALIZED (
	SELECT s.cid, r.* FROM ser s CROSS JOIN LATERAL @noa@._break_candidates(s.ds, s.sps, s.cvs) AS r
),
-- the spend-spike days and the spend response of each campaign, in C (their
-- rules are stated with their checks below)
sp_hit AS MATERIALIZED (
	SELECT s.cid, r.* FROM ser s CROSS JOIN LATERAL @noa@._spike_days(s.ds, s.sps) AS r
),
resp AS (
	SELECT y.cid, r.n, r.rho, r.spread
	FROM ser AS y
	CROSS JOIN LATERAL @noa@._spend_response(y.sps, y.cvs) AS r
),
resp_ci AS (
	SELECT r.*, tanh(atanh(least(greatest(r.rho, -0.999999), 0.999999)) + 2.326 * 1.06 / sqrt(r.n - 3)) AS upper
	FROM resp r WHERE r.n >= 28 AND r.spread >= 1.25
),
-- the days of the few campaigns some check reports days of (tracking
-- break, spend spike, no spend response), with exact amounts; blk numbers
-- runs of consecutive days
hit_days AS MATERIALIZED (
	SELECT u.cid, u.d, u.sp, u.cv, u.d - (row_number() OVER (PARTITION BY u.cid ORDER BY u.d))::int AS blk
	FROM (SELECT s.cid, x.d, x.sp::numeric AS sp, x.cv::numeric AS cv
	      FROM (SELECT * FROM ser AS s
	            WHERE s.cid IN (SELECT h.cid FROM tb_hit AS h UNION SELECT h.cid FROM sp_hit AS h
	                            UNION SELECT r.cid FROM resp_ci AS r WHERE r.upper < 0.3)
	            OFFSET 0) AS s   -- the few campaigns first, then their days
	      CROSS JOIN LATERAL unnest(s.ds, s.sps, s.cvs) AS x(d, sp, cv)) AS u
),
-- the days of the campaigns with candidate days (the only ones read below)
tb_days AS MATERIALIZED (
	SELECT t.cid, t.d, t.sp, t.cv, t.blk FROM hit_days t WHERE t.cid IN (SELECT h.cid FROM tb_hit h)
),
tb_cand AS MATERIALIZED (
	SELECT r.cid, r.d, t.blk, r.ref_kind, r.ref_sp, r.ref_cv, r.ref_disp,
	       lag(r.d) OVER (PARTITION BY r.cid ORDER BY r.d) AS prev_d
	FROM tb_hit r JOIN tb_days t ON t.cid = r.cid AND t.d = r.d
),
-- A run starts on a low day that follows a day that was not low.  It keeps
-- the reference of its first day (from before the break) and lasts while the
-- days stay low against that reference, on consecutive dates.
tb_ext AS MATERIALIZED (
	SELECT z.*,
	       coalesce(min(z.d) FILTER (WHERE NOT z.low) OVER (PARTITION BY z.cid, z.start_d) - 1,
	                max(z.d) OVER (PARTITION BY z.cid, z.start_d)) AS end_d
	FROM (SELECT s.cid, s.d AS start_d, s.ref_kind, s.ref_sp, s.ref_cv, s.ref_disp, t.d, t.sp, t.cv,
	             s.ref_cv * power(least(1.0, t.sp::float8 / s.ref_sp), 3) AS expct,
	             coalesce(t.sp > 0 AND t.cv::float8 <= 0.25 * s.ref_cv * power(least(1.0, t.sp::float8 / s.ref_sp), 3),
	                      false) AS low
	      FROM tb_cand s
	      JOIN tb_days t ON t.cid = s.cid AND t.blk = s.blk AND t.d >= s.d
	      WHERE s.prev_d IS DISTINCT FROM s.d - 1) AS z
),
tb_run AS MATERIALIZED (
	SELECT cid, start_d, end_d, ref_kind, ref_cv, ref_sp, ref_disp, count(*) AS days, sum(expct ORDER BY d) AS e_sum,
	       sum(cv) AS o_sum, sum(sp) AS s_sum
	FROM tb_ext WHERE d <= end_d
	GROUP BY cid, start_d, end_d, ref_kind, ref_cv, ref_sp, ref_disp
),
-- The lower tail P(X <= observed | mean = expected) of a count as dispersed
-- as the reference days' conversions (Poisson when they are not
-- over-dispersed, negative binomial when they are), O(1) in the counts.
tb_p0 AS MATERIALIZED (
	SELECT r.*, @noa@._count_lower_tail(r.o_sum::float8, r.e_sum::float8, r.ref_disp) AS p
	FROM tb_run r
	WHERE r.days >= 3 AND r.e_sum > 0
),
-- A break does not heal on one normal day: a significant run goes on,
-- judged against the reference from before it, through the later days with
-- spend until conversions are back to normal on 7 such days in a row.
tb_more AS MATERIALIZED (
	SELECT z.*,
	       bool_and(NOT z.low) OVER (PARTITION BY z.cid, z.start_d ORDER BY z.d
	                                 ROWS BETWEEN CURRENT ROW AND 6 FOLLOWING) AS back
	FROM (SELECT r.cid, r.start_d, t.d, t.sp, t.cv,
	             r.ref_cv * power(least(1.0, t.sp::float8 / r.ref_sp), 3) AS expct,
	             t.cv::float8 <= 0.25 * r.ref_cv * power(least(1.0, t.sp::float8 / r.ref_sp), 3) AS low
	      FROM tb_p0 r JOIN tb_days t ON t.cid = r.cid AND t.d > r.end_d
	      WHERE r.p < 1e-6 AND t.sp > 0 AND t.cv IS NOT NULL) AS z
),
tb_more_sum AS (
	SELECT m.cid, m.start_d, max(m.d) FILTER (WHERE m.low) AS end_d
	FROM (SELECT x.*, min(x.d) FILTER (WHERE x.back) OVER (PARTITION BY x.cid, x.start_d) AS back_d
	      FROM tb_more x) AS m
	WHERE m.d < coalesce(m.back_d, 'infinity')
	GROUP BY m.cid, m.start_d
),
tb_long AS MATERIALIZED (
	SELECT r.cid, r.start_d, coalesce(e.end_d, r.end_d) AS end_d, r.ref_kind, r.ref_cv, r.ref_sp, r.ref_disp,
	       r.days + coalesce(x.days, 0) AS days, r.e_sum + coalesce(x.e_sum, 0) AS e_sum,
	       r.o_sum + coalesce(x.o_sum, 0) AS o_sum, r.s_sum + coalesce(x.s_sum, 0) AS s_sum
	FROM tb_p0 r
	LEFT JOIN tb_more_sum e ON e.cid = r.cid AND e.start_d = r.start_d
	LEFT JOIN LATERAL (SELECT count(*) AS days, sum(m.expct ORDER BY m.d) AS e_sum, sum(m.cv) AS o_sum, sum(m.sp) AS s_sum
	                   FROM tb_more m WHERE m.cid = r.cid AND m.start_d = r.start_d AND m.d <= e.end_d) AS x ON true
	WHERE r.p < 1e-6
),
tb_p AS (
	SELECT r.*, @noa@._count_lower_tail(r.o_sum::float8, r.e_sum::float8, r.ref_disp) AS p
	FROM tb_long r
	-- a run that starts inside an earlier run is part of it
	WHERE NOT EXISTS (SELECT 1 FROM tb_long o
	                  WHERE o.cid = r.cid AND o.start_d < r.start_d AND o.end_d >= r.start_d)
),
chk_tb AS (
	SELECT 'tracking_break'::text AS check_name, 'error'::text AS severity, p.cid,
	       p.start_d AS first_day, p.end_d AS last_day, p.days AS rows_affected, p.s_sum AS spend_affected,
	       format('Conversions collapsed from %%s to %%s (%%s days with spend) while spend went on (%%s): %%s conversion(s) '
	              'recorded against about %%s expected from %%s (median %%s conversions a day at %%s a day); '
	              '%%s %%s. Check the conversion tag, pixel or API connection of this campaign and leave '
	              'these days out of curve fitting.',
	              p.start_d, p.end_d, p.days,
	              to_char(round(p.s_sum, 2), (SELECT fmt FROM money)) || coalesce(' ' || c.cur, ''),
	              trim_scale(round(p.o_sum, 2)), round(p.e_sum::numeric, 1),
	              CASE p.ref_kind WHEN 'similar' THEN 'the days with similar spend in the 8 weeks before'
	                              ELSE 'the 4 weeks before' END,
	              round(p.ref_cv::numeric, 1),
	              to_char(round(p.ref_sp::numeric, 2), (SELECT fmt FROM money)) || coalesce(' ' || c.cur, ''),
	              CASE WHEN p.ref_disp > 1.0 THEN format('counts as over-dispersed as before (variance %%s times the mean)',
	                                                     round(p.ref_disp::numeric, 1))
	                   ELSE 'Poisson' END,
	              CASE WHEN p.p < 1e-300 THEN 'p < 1e-300'
	                   ELSE 'p = ' || round(power(10.0, log(p.p) - floor(log(p.p)))::numeric, 1)::text
	                        || 'e' || floor(log(p.p))::int::text END) AS explanation
	FROM tb_p p JOIN camp c ON c.cid = p.cid
	WHERE p.p < 1e-6
),
-- ---- sudden spend spikes: the size of the jump, and that it stands out ------
-- References: median and MAD of log daily spend over the 14 days before and,
-- separately, the 14 days after the day, each side as far as data exist (at
-- least 7 days on one side); z = (log spend - median) / max(1.4826 MAD, 0.1).
-- A spike is judged by the size of the jump: at least 5 times the level of
-- the days next to it (median of the 3 days before and the 3 after; a
-- misplaced digit in a loader gives 10 times), at least 2.5 times each
-- 14-day median, and standing out from their noise (z > 3).  Day-to-day
-- swings of a volatile campaign (2-4 times) are not spikes, and a 12-fold day
-- is one however noisy the weeks around it.  It must stand out against every side that exists, so a new budget
-- level that persists (even for a day or two at the end of the data) is not a
-- spike, and a planned multi-day test widens the MAD of the windows it falls
-- in; the newest day, which has no "after" yet, is judged against the days
-- before alone.
-- (medians and MADs over each campaign's series in C: noa._spike_days)
-- (days without positive spend are left out inside noa._spike_days)
sp_z AS (
	SELECT r.cid, r.d, t.sp, r.lsp, r.med, r.z FROM sp_hit r JOIN hit_days t ON t.cid = r.cid AND t.d = r.d
),
sp_isl AS (
	SELECT z.*, z.d - (row_number() OVER (PARTITION BY z.cid ORDER BY z.d))::int AS grp
	FROM sp_z z WHERE z.z > 3
),
chk_spike AS (
	SELECT 'spend_spike'::text AS check_name, 'warning'::text AS severity, s.cid,
	       min(s.d) AS first_day, max(s.d) AS last_day, count(*) AS rows_affected, sum(s.sp) AS spend_affected,
	       format('Spend jumped to %%s times its usual level %%s (%%s in total; usual day %%s, the median of the days '
	              'next to it; robust z = %%s against the two weeks around it). Check for a budget typo, a bidding bug or a billing restatement; '
	              'if the spend was real, treat these days as a one-off when fitting curves.',
	              round(max(exp(s.lsp - s.med))::numeric, 1),
	              CASE WHEN min(s.d) = max(s.d) THEN 'on ' || min(s.d)
	                   ELSE 'from ' || min(s.d) || ' to ' || max(s.d) || ' (' || count(*) || ' days)' END,
	              to_char(round(sum(s.sp), 2), (SELECT fmt FROM money)) || coalesce(' ' || min(c.cur), ''),
	              to_char(round(min(exp(s.med))::numeric, 2), (SELECT fmt FROM money)) || coalesce(' ' || min(c.cur), ''),
	              round(max(s.z)::numeric, 1)) AS explanation
	FROM sp_isl s JOIN camp c ON c.cid = s.cid
	GROUP BY s.cid, s.grp
),
-- ---- conversions that do not move with spend ------------------------------
-- Spearman rank correlation of daily spend and daily conversions (average
-- ranks for ties).  Flagged when even its one-sided 99 per cent upper bound
-- (Fisher z, standard error 1.06 / sqrt(n - 3)) stays below 0.3, over at
-- least 28 days with spend that varied (90th / 10th percentile >= 1.25).
-- (in C over each campaign's series, noa._spend_response: exact rank sums,
-- so the result does not depend on row order)
-- (over the days with spend > 0 and conversions: the others are left out
-- inside noa._spend_response)
chk_resp AS (
	SELECT 'no_spend_response'::text AS check_name, 'warning'::text AS severity, r.cid,
	       t.d1 AS first_day, t.d2 AS last_day, r.n AS rows_affected, t.s AS spend_affected,
	       format('Daily conversions do not follow daily spend: rank correlation %%s over %%s days (99%%%% upper bound %%s) '
	              'although spend varied %%s-fold between its 10th and 90th percentile. Either the campaign has no '
	              'effect on what the platform counts, or it runs far past saturation; either way the marginal return '
	              'of its spend is about zero at the current level. Test a lower budget or a hold-out before spending '
	              'more.',
	              round(r.rho::numeric, 2), r.n, round(r.upper::numeric, 2), round(r.spread::numeric, 1)) AS explanation
	FROM resp_ci r
	-- the spend and period of the days the correlation ran over
	JOIN (SELECT h.cid, sum(h.sp) AS s, min(h.d) AS d1, max(h.d) AS d2
	      FROM hit_days AS h WHERE h.sp > 0 AND h.cv IS NOT NULL GROUP BY h.cid) AS t ON t.cid = r.cid
	WHERE r.upper < 0.3
),
-- ---- platform numbers against the business table ---------------------------
biz AS MATERIALIZED (%s),
-- the platforms' day totals (only with a business table): the rows of the
-- campaigns without repeated days as they are, the careful campaigns' days
plat AS (
	SELECT x.d, sum(x.sp) AS sp, sum(x.cv) AS cv, sum(x.va) AS va
	FROM (SELECT r.d, r.fsp AS sp, r.fcv AS cv, r.fva AS va
	      FROM raw AS r
	      WHERE $5 AND r.cp IS NOT NULL AND r.d IS NOT NULL
	        AND NOT EXISTS (SELECT 1 FROM careful AS c WHERE c.k = r.k)
	      UNION ALL
	      SELECT g.d, g.sp, g.cv, g.va FROM daily_careful AS g WHERE $5) AS x
	GROUP BY x.d
),
pj AS (
	SELECT p.d, p.sp, p.cv, p.va, b.orders, b.revenue FROM plat p JOIN biz b ON b.d = p.d
),
oa_tot AS (
	SELECT m.measure, min(pj.d) AS d1, max(pj.d) AS d2, count(*) AS days, sum(pj.sp) AS sp,
	       sum(CASE m.measure WHEN 'orders' THEN pj.cv ELSE pj.va END) AS claimed,
	       sum(CASE m.measure WHEN 'orders' THEN pj.orders ELSE pj.revenue END) AS truth
	FROM pj CROSS JOIN (VALUES ('orders'), ('revenue')) AS m(measure)
	WHERE CASE m.measure WHEN 'orders' THEN pj.cv IS NOT NULL AND pj.orders IS NOT NULL
	                     ELSE pj.va IS NOT NULL AND pj.revenue IS NOT NULL END
	GROUP BY m.measure
),
chk_oa AS (
	SELECT CASE t.measure WHEN 'orders' THEN 'over_attribution_orders' ELSE 'over_attribution_revenue' END AS check_name,
	       'warning'::text AS severity, NULL::bigint AS cid, t.d1 AS first_day, t.d2 AS last_day,
	       t.days AS rows_affected, t.sp AS spend_affected,
	       format('From %%s to %%s (%%s days) the ad platforms claim %%s but the business table records %%s (%%s). '
	              'Platforms over-count: view-through, cross-device and several platforms claiming the same order. '
	              'Do not add platform-reported results across platforms; measure channels against the business table '
	              '(e.g. with lift tests) instead.',
	              t.d1, t.d2, t.days,
	              CASE t.measure WHEN 'orders' THEN trim_scale(round(t.claimed, 2)) || ' conversions'
	                   ELSE to_char(round(t.claimed, 2), (SELECT fmt FROM money)) || coalesce(' ' || (SELECT cur FROM tcur), '')
	                        || ' of conversion value' END,
	              CASE t.measure WHEN 'orders' THEN trim_scale(round(t.truth, 2)) || ' orders'
	                   ELSE to_char(round(t.truth, 2), (SELECT fmt FROM money)) || ' of revenue' END,
	              CASE WHEN t.truth > 0 THEN round(t.claimed / t.truth, 2) || ' claimed per '
	                                         || CASE t.measure WHEN 'orders' THEN 'order' ELSE 'unit of revenue' END
	                   ELSE 'the business table records nothing at all' END) AS explanation
	FROM oa_tot t
	WHERE t.claimed > t.truth AND t.claimed > 0
),
-- weekly ratio of claimed to recorded; only complete Monday-to-Sunday weeks
oa_week AS (
	SELECT m.measure, pj.d - (extract(isodow FROM pj.d)::int - 1) AS wk, count(*) AS days, sum(pj.sp) AS sp,
	       sum(CASE m.measure WHEN 'orders' THEN pj.cv ELSE pj.va END)::float8
	         / nullif(sum(CASE m.measure WHEN 'orders' THEN pj.orders ELSE pj.revenue END), 0)::float8 AS ratio
	FROM pj CROSS JOIN (VALUES ('orders'), ('revenue')) AS m(measure)
	WHERE CASE m.measure WHEN 'orders' THEN pj.cv IS NOT NULL AND pj.orders IS NOT NULL
	                     ELSE pj.va IS NOT NULL AND pj.revenue IS NOT NULL END
	GROUP BY m.measure, 2
	HAVING count(*) = 7
),
oa_med AS (
	SELECT measure, percentile_cont(0.5) WITHIN GROUP (ORDER BY ratio) AS med, count(*) AS weeks
	FROM oa_week WHERE ratio IS NOT NULL GROUP BY measure
),
oa_z AS (
	SELECT w.*, m.med,
	       (w.ratio - m.med) / greatest(1.4826 * (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(w2.ratio - m.med))
	                                             FROM oa_week w2 WHERE w2.measure = w.measure AND w2.ratio IS NOT NULL),
	                                    0.05 * abs(m.med), 1e-9) AS z
	FROM oa_week w JOIN oa_med m ON m.measure = w.measure
	WHERE m.weeks >= 8 AND w.ratio IS NOT NULL
),
oa_isl AS (
	SELECT z.*, z.wk - 7 * (row_number() OVER (PARTITION BY z.measure, sign(z.z) ORDER BY z.wk))::int AS grp
	FROM oa_z z WHERE abs(z.z) > 6
),
chk_shift AS (
	SELECT CASE i.measure WHEN 'orders' THEN 'attribution_shift_orders' ELSE 'attribution_shift_revenue' END AS check_name,
	       'warning'::text AS severity, NULL::bigint AS cid, min(i.wk) AS first_day, max(i.wk) + 6 AS last_day,
	       sum(i.days) AS rows_affected, sum(i.sp) AS spend_affected,
	       format('The ratio of platform-reported %%s to the business table''s %%s was %%s in %%s week(s) from %%s '
	              'to %%s, against a typical %%s (robust z = %%s over all complete weeks). %%s',
	              CASE i.measure WHEN 'orders' THEN 'conversions' ELSE 'conversion value' END,
	              CASE i.measure WHEN 'orders' THEN 'orders' ELSE 'revenue' END,
	              CASE WHEN sign(min(i.z)) > 0 THEN round(max(i.ratio)::numeric, 2) ELSE round(min(i.ratio)::numeric, 2) END,
	              count(*), min(i.wk), max(i.wk) + 6, round(min(i.med)::numeric, 2),
	              CASE WHEN sign(min(i.z)) > 0 THEN '+' || round(max(i.z)::numeric, 1)::text ELSE round(min(i.z)::numeric, 1)::text END,
	              CASE WHEN sign(min(i.z)) > 0
	                   THEN 'A jump means the platforms started claiming more (changed attribution window, duplicated '
	                        'rows, a new conversion action) or business rows are missing.'
	                   ELSE 'A drop means conversions stopped being tracked on the platforms, or the business table '
	                        'double-counts.' END) AS explanation
	FROM oa_isl i
	GROUP BY i.measure, sign(i.z), i.grp
),
-- ---- currencies ------------------------------------------------------------
-- (per currency and campaign first: a few hundred groups, then per currency)
cur_cp AS (
	SELECT cu, pf, cp, n, s, d1, d2 FROM pcu WHERE cu IS NOT NULL
),
cur_tot AS (
	SELECT cu, sum(n)::bigint AS n, sum(s) AS s, count(DISTINCT pf) AS npf, min(pf) AS pf1,
	       count(DISTINCT cp) AS ncp, min(cp) AS cp1, min(d1) AS d1, max(d2) AS d2,
	       row_number() OVER (ORDER BY sum(s) DESC NULLS LAST, sum(n) DESC, cu) AS rk
	FROM cur_cp GROUP BY cu
),
chk_cur AS (
	SELECT 'mixed_currency'::text AS check_name, 'error'::text AS severity, NULL::bigint AS cid,
	       t.d1 AS first_day, t.d2 AS last_day, t.n AS rows_affected, t.s AS spend_affected,
	       format('The table mixes currencies: %%s row(s) in %%s (spend %%s %%s, %%s campaign(s)) next to %%s, the main currency. '
	              'Sums, ROAS and curves across currencies are meaningless; convert to one currency in a staging view '
	              'or analyse each currency separately.',
	              t.n, t.cu, to_char(round(coalesce(t.s, 0), 2), (SELECT fmt FROM money)), t.cu, t.ncp,
	              (SELECT m.cu FROM cur_tot m WHERE m.rk = 1)) AS explanation,
	       CASE WHEN t.npf = 1 THEN t.pf1 END AS pf_override, CASE WHEN t.ncp = 1 THEN t.cp1 END AS cp_override,
	       t.cu AS cur_override
	FROM cur_tot t WHERE t.rk > 1
	UNION ALL
	SELECT 'missing_currency', 'warning', NULL::bigint, min(d1), max(d2), sum(n)::bigint, sum(s),
	       format('%%s row(s) have no currency, so their spend (%%s) cannot be compared with anything. '
	              'Fill the currency column (e.g. from the ad account''s settings).',
	              sum(n), to_char(round(coalesce(sum(s), 0), 2), (SELECT fmt FROM money))),
	       pf, NULL, NULL
	FROM pcu WHERE $4 AND cu IS NULL GROUP BY pf
),
-- ---- stale data --------------------------------------------------------------
chk_stale AS (
	SELECT 'stale_data'::text AS check_name, 'warning'::text AS severity, NULL::bigint AS cid,
	       max(d2) + 1 AS first_day, $1 AS last_day, NULL::bigint AS rows_affected, NULL::numeric AS spend_affected,
	       format('The newest row%%s is from %%s, %%s day(s) before %%s (at most %%s allowed). Recent spend is missing '
	              'from every analysis; check the connector''s sync.',
	              coalesce(' of ' || pf, ''), max(d2), $1 - max(d2), $1, $2) AS explanation,
	       pf AS pf_override
	FROM pcu WHERE d2 IS NOT NULL GROUP BY pf
	HAVING max(d2) < $1 - $2
	UNION ALL
	SELECT 'stale_business_data', 'warning', NULL::bigint, max(d) + 1, $1, NULL::bigint, NULL::numeric,
	       format('The newest row of the business table is from %%s, %%s day(s) before %%s (at most %%s allowed). '
	              'Comparisons with the shop stop there.', max(d), $1 - max(d), $1, $2),
	       NULL
	FROM biz WHERE $5
	HAVING max(d) < $1 - $2
),
chk_empty AS (
	SELECT 'empty_source'::text AS check_name, 'error'::text AS severity,
	       'The ad table has no rows: there is nothing to analyse.'::text AS explanation
	WHERE NOT EXISTS (SELECT 1 FROM pcu)
),
allrows AS (
	SELECT x.check_name, x.severity, c.pf AS platform, c.cp AS campaign_id, x.first_day, x.last_day,
	       x.rows_affected, x.spend_affected, c.cur AS currency, x.explanation
	FROM (SELECT * FROM chk_dup UNION ALL SELECT * FROM chk_gap UNION ALL SELECT * FROM chk_val
	      UNION ALL SELECT * FROM chk_date UNION ALL SELECT * FROM chk_nospend
	      UNION ALL SELECT * FROM chk_future UNION ALL SELECT * FROM chk_funnel
	      UNION ALL SELECT * FROM chk_tb UNION ALL SELECT * FROM chk_spike
	      UNION ALL SELECT * FROM chk_resp) AS x
	JOIN camp c ON c.cid = x.cid
	UNION ALL
	SELECT check_name, severity, NULL, NULL, first_day, last_day, rows_affected, spend_affected,
	       (SELECT cur FROM tcur), explanation
	FROM (SELECT * FROM chk_key UNION ALL SELECT * FROM chk_oa UNION ALL SELECT * FROM chk_shift
	      UNION ALL SELECT * FROM chk_nospend_all) AS y
	UNION ALL
	SELECT check_name, severity, pf_override, cp_override, first_day, last_day, rows_affected, spend_affected,
	       cur_override, explanation
	FROM chk_cur
	UNION ALL
	SELECT check_name, severity, pf_override, NULL, first_day, last_day, rows_affected, spend_affected,
	       NULL, explanation
	FROM chk_stale
	UNION ALL
	SELECT check_name, severity, NULL, NULL, NULL, NULL, NULL, NULL, NULL, explanation FROM chk_empty
	UNION ALL
	SELECT 'column_not_found', 'info', NULL, NULL, NULL, NULL, NULL, NULL, NULL, n
	FROM unnest($3) AS n
)
SELECT a.check_name::text, a.severity::text, a.platform::text, a.campaign_id::text, a.first_day::date,
       a.last_day::date, a.rows_affected::bigint, round(a.spend_affected::numeric, 2), a.currency::text,
       a.explanation::text
FROM allrows a
ORDER BY CASE a.severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END,
         a.spend_affected DESC NULLS LAST, a.check_name, a.platform NULLS FIRST, a.campaign_id NULLS FIRST,
         a.first_day NULLS FIRST, a.explanation
$sql$, '@noa@', quote_ident(ext_nsp)), src_copy, src_sql, biz_sql);

	BEGIN
		RETURN QUERY EXECUTE q
			USING ref_day, max_staleness_days, notes, expr[9] IS NOT NULL, business IS NOT NULL,
			      coalesce(spend_col, 'spend'), coalesce(impressions_col, 'impressions'),
			      coalesce(clicks_col, 'clicks'), coalesce(conversions_col, 'conversions'),
			      coalesce(value_col, 'conversions_value'), as_of;
	EXCEPTION WHEN OTHERS OR query_canceled THEN
		-- every error (a permission denied, a statement timeout or cancel, a
		-- value the checks cannot handle) leaves with its SQLSTATE, message,
		-- detail and hint but without the context naming the internal query
		GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_msg = MESSAGE_TEXT,
		                        err_detail = PG_EXCEPTION_DETAIL, err_hint = PG_EXCEPTION_HINT;
		EXECUTE format('SELECT %I._reraise($1, $2, $3, $4)', ext_nsp) USING err_state, err_msg, err_detail, err_hint;
	END;
END;
$function$;

COMMENT ON FUNCTION @extschema@.data_quality(regclass, regclass, text, text, text, text, text, text, text, text,
                                             text, text, text, text, date, integer) IS
	'data-quality alarms for an ad-spend table (Fivetran ad_reporting columns by default) and optionally the shop''s orders table: duplicates, missing days, invalid values, funnel inconsistencies, tracking breaks, spend spikes, over-attribution, mixed currencies, stale data; one row per problem with severity, affected period, rows, spend and an explanation';
