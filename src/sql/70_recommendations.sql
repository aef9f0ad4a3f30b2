
-- ---------------------------------------------------------------------------
-- The action plan: noa.recommendations(source, ...)
-- ---------------------------------------------------------------------------
--
-- Ranked, flat rows saying what to fix and what to do, with the money at stake:
--
--   fix_tracking  every data-quality error and warning (noa.data_quality);
--                 errors block all budget advice on their campaign (or on
--                 the whole table when they name no campaign)
--   cut           campaigns with no incremental value (noa.waste, high
--                 confidence): pause them
--   cap_spend     campaigns past break-even or saturation (noa.waste, high
--                 confidence): cap them at the threshold
--   shift_budget  the reallocation of the remaining budget by the optimiser
--                 (noa.allocate over the campaigns with trustworthy curves,
--                 role floors respected), as from -> to pairs
--   scale_up      campaigns whose marginal ROAS stays above the target after
--                 the reallocation, with room before their break-even
--   test_first    any of the above whose evidence is not strong enough
--                 (medium or low confidence): a short experiment with the
--                 campaign, the change and the days needed to tell
--
-- The money figures of cut and cap_spend are noa.waste's, those of
-- shift_budget noa.allocate's, so the functions agree.  Rules, thresholds and
-- the experiment-length formula are in docs/recommendations.md.
--
-- Security as in noa.waste: the relations come in as regclass, columns are
-- resolved by noa._campaign_state and noa.data_quality (format('%I')), noa's
-- own functions are called through the extension's schema looked up in
-- pg_extension, search_path is pinned and the function runs as the caller.
-- STABLE (reads tables, writes nothing); PARALLEL UNSAFE because, like
-- noa.waste, it catches the errors raised inside (columns, role floors,
-- budgets the optimiser cannot meet, permissions, timeouts) in an EXCEPTION
-- block to report them as its own without the internal query's text, and a
-- subtransaction is not allowed in parallel mode.

CREATE FUNCTION @extschema@.recommendations(
	source               regclass,
	budget               numeric  DEFAULT NULL,
	business             regclass DEFAULT NULL,
	target_mroas         float8   DEFAULT 1,
	level                float8   DEFAULT 0.9,
	window_days          integer  DEFAULT 28,
	as_of                date     DEFAULT NULL,
	max_change           float8   DEFAULT 0.5,
	group_min_share      text     DEFAULT NULL,
	date_col             text     DEFAULT 'date_day',
	platform_col         text     DEFAULT 'platform',
	campaign_col         text     DEFAULT 'campaign_id',
	spend_col            text     DEFAULT 'spend',
	impressions_col      text     DEFAULT 'impressions',
	clicks_col           text     DEFAULT 'clicks',
	conversions_col      text     DEFAULT 'conversions',
	value_col            text     DEFAULT 'conversions_value',
	role_col             text     DEFAULT 'campaign_role',
	geo_col              text     DEFAULT 'geo',
	currency_col         text     DEFAULT 'currency',
	business_date_col    text     DEFAULT 'date_day',
	business_orders_col  text     DEFAULT 'orders',
	business_revenue_col text     DEFAULT 'revenue',
	model                text     DEFAULT 'hill',
	incrementality       regclass DEFAULT NULL,
	incrementality_by    text     DEFAULT 'platform')
RETURNS TABLE (
	rank               integer,
	action             text,
	platform           text,
	campaign_id        text,
	geo                text,
	from_campaign      text,
	to_campaign        text,
	amount             numeric,
	amount_per_day     numeric,
	expected_effect    numeric,
	expected_effect_lo numeric,
	expected_effect_hi numeric,
	currency           text,
	period_start       date,
	period_end         date,
	test_days          integer,
	confidence         text,
	reason             text,
	explanation        text,
	experiment         text,
	value_source       text,
	incrementality_factor    float8,
	incrementality_factor_lo float8,
	incrementality_factor_hi float8)
LANGUAGE plpgsql
STABLE
PARALLEL UNSAFE
CALLED ON NULL INPUT
COST 1000000
ROWS 30
SET search_path = pg_catalog, pg_temp
SET jit = off               -- short generated queries: compiling them costs seconds and cannot be cancelled
-- The plan's steps join per-campaign CTEs (thousands of rows each) that the
-- planner, from the functions' row estimates, takes for single rows: nested
-- loops there are quadratic in the campaigns (37 of 149 s of CPU at 5,000
-- campaigns, bench/results/scale.md).  Hash joins give the same rows.
SET enable_nestloop = off
AS $function$
DECLARE
	ext_nsp  name;
	p        float8;
	t        float8;
	z_two    float8;     -- two-sided normal quantile at level
	q        text;
	err_state  text;
	err_msg    text;
	err_detail text;
	err_hint   text;
BEGIN
	IF source IS NULL THEN
		RAISE EXCEPTION 'noa.recommendations: source must not be NULL'
			USING ERRCODE = 'null_value_not_allowed',
			      HINT = 'Pass the ad table or view, e.g. noa.recommendations(''noa_demo.ad_spend'').';
	END IF;
	IF target_mroas IS NULL OR NOT (target_mroas > 0 AND target_mroas < 1e6) THEN
		RAISE EXCEPTION 'noa.recommendations: target_mroas must be a positive number, got %', coalesce(target_mroas::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'target_mroas is the return the last unit of spend must bring back (1 = break-even on revenue; '
			             'e.g. 2.5 when only 40% of revenue is margin).';
	END IF;
	IF level IS NULL OR NOT (level >= 0.5 AND level < 1) THEN
		RAISE EXCEPTION 'noa.recommendations: level must be at least 0.5 and below 1, got %', coalesce(level::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'level is the confidence of the intervals and tests, e.g. 0.8, 0.9 (default) or 0.95.';
	END IF;
	IF max_change IS NULL OR NOT (max_change > 0 AND max_change <= 1) THEN
		RAISE EXCEPTION 'noa.recommendations: max_change must be above 0 and at most 1, got %', coalesce(max_change::text, 'NULL')
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'max_change is the largest relative change of one campaign''s daily spend in a reallocation (default 0.5 = ±50%).';
	END IF;
	IF budget IS NOT NULL AND NOT (budget >= 0 AND budget < 'Infinity') THEN
		RAISE EXCEPTION 'noa.recommendations: budget must be 0 or more, got %', budget
			USING ERRCODE = 'invalid_parameter_value',
			      HINT = 'budget is the total spend for the period of window_days days; leave it NULL to keep today''s total.';
	END IF;

	-- Two-sided standard normal quantile at level (Abramowitz & Stegun 26.2.23).
	p := (1 - level) / 2;
	t := sqrt(-2 * ln(p));
	z_two := t - (2.515517 + 0.802853 * t + 0.010328 * t * t)
	             / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);

	-- $1 source, $2 business, $3 target_mroas, $4 level, $5 window_days, $6 as_of,
	-- $7 max_change, $8 group_min_share, $9 budget, $10 model, $11 z_two,
	-- $12 .. $22 the ad table's columns, $23 .. $25 the business table's,
	-- $26 whether group_min_share names the awareness role.
	q := $sql$
WITH
dq AS MATERIALIZED (
	SELECT d.* FROM @noa@.data_quality($1, $2, $12, $13, $14, $15, $16, $17, $18, $19, $22, $23, $24, $25, $6) AS d
),
-- errors naming a campaign block it; errors naming none block everything
blocked AS (
	SELECT DISTINCT d.platform, d.campaign_id FROM dq AS d WHERE d.severity = 'error' AND d.campaign_id IS NOT NULL
),
block_all AS (
	SELECT coalesce(bool_or(d.severity = 'error' AND d.campaign_id IS NULL), false) AS yes FROM dq AS d
),
warned AS (
	SELECT d.platform, d.campaign_id, string_agg(DISTINCT d.check_name, ', ') AS checks
	FROM dq AS d WHERE d.severity = 'warning' AND d.campaign_id IS NOT NULL AND d.check_name <> 'no_spend_response'
	GROUP BY d.platform, d.campaign_id
),
-- the valued campaign state, computed once: judged by noa.waste's rules
-- (noa._waste_judge, at noa.waste's default saturation_share) and planned below
state AS MATERIALIZED (
	SELECT ARRAY(SELECT s FROM @noa@._valued_state($1, $6, $5, $10, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22,
	                                               'noa.recommendations', $27, $28) AS s) AS a
),
wst AS MATERIALIZED (
	SELECT w.* FROM state AS x, @noa@._waste_judge(x.a, $5, $3, $4, 0.9, $27 IS NOT NULL) AS w
	WHERE w.campaign_id IS NOT NULL
),
st AS MATERIALIZED (
	SELECT s.*, s.curve::@noa@.curve AS c FROM state AS x, @noa@._state_rows(x.a) AS s
),
-- every campaign (and geo) with what is known about it
unit AS MATERIALIZED (
	SELECT row_number() OVER (ORDER BY s.platform, s.campaign_id, s.geo) AS uid, s.*,
	       @noa@.curve_status(s.c) IN ('converged', 'max_iterations') AS usable,
	       coalesce(@noa@.curve_status(s.c) <> 'converged'
	                OR (@noa@.curve_to_jsonb(s.c) ->> 'at_bound')::boolean OR s.n_days < 56, true) AS weak,
	       (@noa@.curve_to_jsonb(s.c) ->> 'sigma')::float8 AS sigma,
	       (@noa@.curve_to_jsonb(s.c) ->> 'x_max')::float8 AS x_max,
	       (SELECT b.yes FROM block_all AS b)
	         OR EXISTS (SELECT 1 FROM blocked AS b
	                    WHERE b.campaign_id = s.campaign_id AND b.platform IS NOT DISTINCT FROM s.platform) AS is_blocked,
	       (SELECT w.checks FROM warned AS w
	         WHERE w.campaign_id = s.campaign_id AND w.platform IS NOT DISTINCT FROM s.platform) AS warnings,
	       CASE WHEN count(*) OVER (PARTITION BY s.campaign_id) > 1
	            THEN s.campaign_id || ' [' || coalesce(s.platform, '-') || '/' || coalesce(s.geo, '-') || ']'
	            ELSE s.campaign_id END AS label0
	FROM st AS s
),
-- how a campaign is named in from/to columns: its id, with platform and geo
-- when the id is shared, and its number when even that is taken (a campaign
-- may be literally named 'x [google_ads/DE]')
unit_label AS MATERIALIZED (
	SELECT u.uid, CASE WHEN count(*) OVER (PARTITION BY u.label0) > 1 THEN u.label0 || ' #' || u.uid
	                   ELSE u.label0 END AS label
	FROM unit AS u
),
-- ---- 1. data-quality rows ---------------------------------------------------------
-- ---- incremental valuation: where it applies, and the experiment a test_first needs ----
-- For a campaign valued on incremental value, the uncertainty of its marginal
-- ROAS has two parts: the curve fitted on platform reports, and the
-- incrementality factor.  When the factor's share of the variance is the
-- larger one, no spend test of the campaign settles the decision: a lift test
-- of its group does (the group's spend in the campaign's geo paused on
-- alternate weeks, the shop KPI compared with the weeks on).  The test
-- measures the factor with a standard error σ·√(2/n) / R (σ the model's
-- residual sd per day, R the group's reported conversions per day there).
-- Its length: when the factor's interval straddles the factor at which the
-- campaign would just meet the target (f* = f · target / mROAS, the call
-- itself in doubt), long enough to tell f from f* at the stated confidence
-- with 80% power, n = 2 (z + 0.84)² σ² / (R² (f − f*)²); otherwise (the call
-- is clear, how far to move is not) long enough to halve the factor's
-- uncertainty, n = 8 σ² / (R² sd_f²).  Whole weeks, 7 to 364 days.
model_noise AS (
	SELECT m.ord, sqrt(avg(r.residual * r.residual)) AS sigma
	FROM @noa@._kpi_models($27, 'noa.recommendations') WITH ORDINALITY AS m(model, ord), @noa@.kpi_model_fitted(m.model) AS r
	WHERE r.residual IS NOT NULL
	GROUP BY m.ord
),
model_channel AS (
	SELECT m.ord, c.channel
	FROM @noa@._kpi_models($27, 'noa.recommendations') WITH ORDINALITY AS m(model, ord), @noa@.kpi_model_channels(m.model) AS c
),
valued AS (
	SELECT u.uid, u.value_source, u.factor, u.factor_lo, u.factor_hi, u.incrementality_key AS key, u.geo,
	       (u.factor_hi - u.factor_lo) / (2 * 1.6448536269514722) AS f_sd,
	       @noa@.marginal_roas(u.c, u.current_spend, u.value_per_unit) AS m,
	       @noa@.marginal_roas_lo(u.c, u.current_spend, u.value_per_unit, $4) AS m_lo,
	       @noa@.marginal_roas_hi(u.c, u.current_spend, u.value_per_unit, $4) AS m_hi,
	       (SELECT sum(w.kpi_mean / w.factor ORDER BY w.uid) FROM unit AS w
	         WHERE w.value_source = 'incremental_model' AND w.incrementality_key = u.incrementality_key
	           AND w.geo IS NOT DISTINCT FROM u.geo) AS reported_day,
	       (SELECT n.sigma FROM model_noise AS n
	         WHERE n.ord = (SELECT min(mc.ord) FROM model_channel AS mc
	                        WHERE mc.channel = u.campaign_id
	                           OR (mc.channel = u.incrementality_key
	                               AND NOT EXISTS (SELECT 1 FROM model_channel AS m2 WHERE m2.channel = u.campaign_id)))) AS sigma
	FROM unit AS u
	WHERE u.value_source = 'incremental_model' AND u.usable AND u.value_per_unit IS NOT NULL
),
lift AS (
	SELECT v.*, v.factor * $3 / v.m AS f_star,
	       power(v.f_sd / v.factor, 2) / nullif(power((v.m_hi - v.m_lo) / (2 * $11) / v.m, 2), 0) AS f_share
	FROM valued AS v WHERE v.m > 0 AND v.m_lo IS NOT NULL AND v.m_hi IS NOT NULL
),
lift_test AS (
	SELECT l.*,
	       l.factor_lo < l.f_star AND l.f_star < l.factor_hi AS call_in_doubt,
	       (7 * ceil(least(364, greatest(7,
	          CASE WHEN l.factor_lo < l.f_star AND l.f_star < l.factor_hi
	               THEN 2 * power($11 + 0.8416, 2) * power(l.sigma, 2) / power(l.reported_day * (l.factor - l.f_star), 2)
	               ELSE 8 * power(l.sigma, 2) / power(l.reported_day * l.f_sd, 2) END)) / 7))::integer AS days
	FROM lift AS l
	WHERE l.f_share >= 0.5 AND l.sigma > 0 AND l.reported_day > 0 AND l.f_sd > 0 AND abs(l.factor - l.f_star) > 0
),
fix AS (
	SELECT 0 AS grp, CASE d.severity WHEN 'error' THEN 0 ELSE 1 END AS sub,
	       'fix_tracking'::text AS action, d.platform, d.campaign_id, NULL::text AS geo,
	       NULL::text AS from_campaign, NULL::text AS to_campaign,
	       d.spend_affected::float8 AS amount, NULL::float8 AS per_day,
	       NULL::float8 AS eff, NULL::float8 AS eff_lo, NULL::float8 AS eff_hi, d.currency,
	       d.first_day AS p_start, d.last_day AS p_end, NULL::integer AS test_days,
	       CASE d.severity WHEN 'error' THEN 'high' ELSE 'medium' END AS confidence, d.check_name AS reason,
	       CASE WHEN d.severity = 'error' AND d.campaign_id IS NULL
	            THEN 'Fix first: no budget advice is given on this table until this is fixed. '
	            WHEN d.severity = 'error'
	            THEN 'Fix first: no budget advice is given on this campaign until this is fixed. '
	            WHEN d.check_name LIKE 'over_attribution%'
	            THEN format('Platforms over-count: judge them with a target_mroas above 1 (about the ratio below) or '
	                        'against the business table. ')
	            ELSE 'Check: ' END || d.explanation AS explanation
	FROM dq AS d
	WHERE d.severity IN ('error', 'warning') AND d.check_name <> 'no_spend_response'
),
-- ---- 2. waste: one verdict per campaign ----------------------------------------------
verdict AS (
	SELECT DISTINCT ON (u.uid) u.uid, w.*
	FROM unit AS u
	JOIN wst AS w ON w.campaign_id = u.campaign_id AND w.platform IS NOT DISTINCT FROM u.platform
	             AND w.geo IS NOT DISTINCT FROM u.geo
	WHERE NOT u.is_blocked AND w.waste_type IN ('no_incremental_value', 'past_breakeven', 'past_saturation')
	ORDER BY u.uid, CASE w.waste_type WHEN 'no_incremental_value' THEN 0 WHEN 'past_breakeven' THEN 1 ELSE 2 END
),
waste_act AS (
	SELECT v.*, u.c, u.sigma, u.slope, u.slope_se, u.resid_sd, u.kpi AS u_kpi, u.warnings, u.current_spend AS cur,
	       v.threshold_spend_per_day::float8 AS thr,
	       CASE WHEN v.confidence = 'high' THEN
	         CASE v.waste_type WHEN 'no_incremental_value' THEN 'cut' ELSE 'cap_spend' END
	       ELSE 'test_first' END AS action,
	       -- expected daily change of the KPI and its noise, for the length of a test
	       CASE WHEN u.usable THEN abs(@noa@.response(u.c, u.current_spend) - @noa@.response(u.c, v.threshold_spend_per_day::float8))
	            ELSE abs(u.slope + $11 * u.slope_se) * (u.current_spend - v.threshold_spend_per_day::float8) END AS delta,
	       CASE WHEN u.usable THEN u.sigma ELSE u.resid_sd END AS noise
	FROM verdict AS v JOIN unit AS u ON u.uid = v.uid
),
waste_rows AS (
	SELECT 1 AS grp, 0 AS sub, a.action, a.platform, a.campaign_id, a.geo,
	       NULL::text AS from_campaign, NULL::text AS to_campaign,
	       a.spend_at_stake::float8 AS amount, (a.cur - a.thr) AS per_day,
	       a.value_lost::float8 AS eff, a.value_lost_lo::float8 AS eff_lo, a.value_lost_hi::float8 AS eff_hi,
	       a.currency, a.period_start AS p_start, a.period_end AS p_end,
	       CASE WHEN a.action = 'test_first' THEN
	         CASE WHEN a.delta > 0 AND a.noise > 0
	              THEN (7 * ceil(least(364, greatest(7, 2 * power($11 + 0.8416, 2) * power(least(a.noise / a.delta, 1e6), 2))) / 7))::integer
	         END END AS test_days,
	       a.confidence, a.waste_type AS reason,
	       CASE a.action
	       WHEN 'cut' THEN format('Pause %s (%s): ', a.campaign_id, coalesce(a.campaign_role, 'no role'))
	       WHEN 'cap_spend' THEN format('Cap %s at %s a day (now %s): ', a.campaign_id,
	                                    to_char(round(a.thr::numeric), 'FM999,999,999,990'),
	                                    to_char(round(a.cur::numeric), 'FM999,999,999,990') || coalesce(' ' || a.currency, ''))
	       ELSE '' END
	       || CASE WHEN a.action = 'test_first' AND EXISTS (SELECT 1 FROM lift_test AS x WHERE x.uid = a.uid) THEN
	            format('Test before acting on %s (%s evidence). ', a.campaign_id, a.confidence)
	          WHEN a.action = 'test_first' THEN
	            format('Test before acting on %s (%s evidence): lower its spend from %s to %s a day %s and compare %s. '
	                   'The expected change, %s %s a day against daily noise of %s, %s. ',
	                   a.campaign_id, a.confidence,
	                   to_char(round(a.cur::numeric), 'FM999,999,999,990') || coalesce(' ' || a.currency, ''),
	                   to_char(round(a.thr::numeric), 'FM999,999,999,990'),
	                   'on alternate weeks (or in one region only)', a.u_kpi,
	                   coalesce(round(a.delta::numeric, 1)::text, '?'), a.u_kpi, coalesce(round(a.noise::numeric, 1)::text, '?'),
	                   CASE WHEN a.delta > 0 AND a.noise > 0
	                        THEN format('needs about %s days to stand out at %s%% confidence with 80%% power',
	                                    (7 * ceil(least(364, greatest(7, 2 * power($11 + 0.8416, 2) * power(least(a.noise / a.delta, 1e6), 2))) / 7))::integer,
	                                    trim_scale(round(($4 * 100)::numeric, 1)))
	                        ELSE 'cannot be measured from this data' END)
	          ELSE '' END
	       || a.explanation
	       || CASE WHEN a.warnings IS NOT NULL
	               THEN format(' Data warning on this campaign: %s (see fix_tracking).', a.warnings) ELSE '' END AS explanation
	FROM waste_act AS a
),
-- ---- 3. the reallocation ----------------------------------------------------------------
-- The portfolio: trusted campaigns judged on conversion value with a usable
-- curve, at their spend after the cuts and caps above (a capped campaign may
-- only give money, never take it back above its cap).
-- Awareness campaigns stay out unless group_min_share names them: then they
-- join with their conversion curve, held up by their floor.
aware_conv AS MATERIALIZED (
	SELECT s.*, s.curve::@noa@.curve AS c,
	       coalesce(@noa@.curve_status(s.curve::@noa@.curve) <> 'converged'
	                OR (@noa@.curve_to_jsonb(s.curve::@noa@.curve) ->> 'at_bound')::boolean OR s.n_days < 56, true) AS weak,
	       (@noa@.curve_to_jsonb(s.curve::@noa@.curve) ->> 'sigma')::float8 AS sigma,
	       (@noa@.curve_to_jsonb(s.curve::@noa@.curve) ->> 'x_max')::float8 AS x_max
	FROM @noa@._valued_state($1, $6, $5, $10, $12, $13, $14, $15, $16, $17, $18, $19, NULL, $21, $22,
	                         'noa.recommendations', $27, $28) AS s
	WHERE $26
	  AND @noa@.curve_status(s.curve::@noa@.curve) IN ('converged', 'max_iterations') AND s.value_per_unit IS NOT NULL
),
port AS MATERIALIZED (
	SELECT u.uid, u.platform, u.campaign_id, u.geo, u.campaign_role, u.currency, u.period_start, u.period_end,
	       u.warnings, u.current_spend,
	       CASE WHEN u.awareness THEN 'conversions' ELSE u.kpi END AS kpi,
	       CASE WHEN u.awareness THEN k.c ELSE u.c END AS c,
	       CASE WHEN u.awareness THEN k.value_per_unit ELSE u.value_per_unit END AS value_per_unit,
	       CASE WHEN u.awareness THEN k.sigma ELSE u.sigma END AS sigma,
	       CASE WHEN u.awareness THEN k.weak ELSE u.weak END AS weak,
	       CASE WHEN u.awareness THEN k.x_max ELSE u.x_max END AS x_max,
	       CASE WHEN a.action = 'cap_spend' THEN a.thr ELSE u.current_spend END AS s0,
	       coalesce(a.action = 'cap_spend', false) AS capped,
	       -- the portfolio key: unique by construction, whatever the campaigns are named
	       'unit ' || u.uid AS key,
	       l.label
	FROM unit AS u
	JOIN unit_label AS l ON l.uid = u.uid
	LEFT JOIN waste_act AS a ON a.uid = u.uid
	LEFT JOIN aware_conv AS k ON u.awareness AND k.campaign_id = u.campaign_id
	                         AND k.platform IS NOT DISTINCT FROM u.platform AND k.geo IS NOT DISTINCT FROM u.geo
	WHERE NOT u.is_blocked
	  AND CASE WHEN u.awareness THEN k.c IS NOT NULL ELSE u.usable AND u.value_per_unit IS NOT NULL END
	  AND a.action IS DISTINCT FROM 'cut'
	  AND u.currency IS NOT DISTINCT FROM (SELECT m.currency FROM unit AS m GROUP BY m.currency
	                                      ORDER BY sum(m.current_spend ORDER BY m.uid) DESC, m.currency LIMIT 1)
),
-- the budget per day for the portfolio: today's total after the cuts and caps,
-- or the budget given less what the campaigns outside the portfolio keep
budget0 AS (
	SELECT CASE WHEN $9 IS NULL THEN (SELECT sum(p.s0 ORDER BY p.uid) FROM port AS p)
	            ELSE $9::float8 / $5
	                 - coalesce((SELECT sum(CASE WHEN a.action = 'cut' THEN 0
	                                             WHEN a.action = 'cap_spend' THEN a.thr
	                                             ELSE u.current_spend END ORDER BY u.uid)
	                             FROM unit AS u LEFT JOIN waste_act AS a ON a.uid = u.uid
	                             WHERE u.uid NOT IN (SELECT p.uid FROM port AS p)), 0) END AS b,
	       (SELECT sum(p.s0 ORDER BY p.uid) * (1 - $7) FROM port AS p) AS b_min
),
-- a budget below what the portfolio can reach within -max_change stops there
budget1 AS (
	SELECT greatest(b.b, coalesce(b.b_min, 0), 0) AS b, b.b < b.b_min AS clamped FROM budget0 AS b
),
pf1 AS MATERIALIZED (
	SELECT @noa@.portfolio(p.key, p.c, p.s0, NULL::float8,
	                       CASE WHEN p.capped THEN p.s0 ELSE greatest(p.x_max, p.s0) END,
	                       p.campaign_role, p.value_per_unit, false) AS pf
	FROM port AS p
),
alloc1 AS MATERIALIZED (
	SELECT a.*, p.uid
	FROM pf1, budget1,
	     LATERAL @noa@.allocate(pf1.pf, budget => budget1.b, objective => 'max_response', max_increase => $7,
	                            max_decrease => $7, group_min_share => $8, level => $4) AS a
	JOIN port AS p ON p.key = a.key
	WHERE pf1.pf IS NOT NULL AND a.row_type = 'item'
),
-- the same moves through the simulator, for the intervals of their effect
sim1 AS MATERIALIZED (
	SELECT s.*, p.uid
	FROM pf1,
	     LATERAL (SELECT string_agg(format('set "%s" to %s', replace(a.key, '"', '""'), a.recommended_spend), '; '
	                                ORDER BY a.key) AS ch
	              FROM alloc1 AS a WHERE a.recommended_spend <> round(a.current_spend, 2)) AS c,
	     LATERAL @noa@.simulate(pf1.pf, c.ch, $4) AS s
	JOIN port AS p ON p.key = s.key
	WHERE pf1.pf IS NOT NULL AND c.ch IS NOT NULL AND s.row_type = 'item'
),
moves AS MATERIALIZED (
	SELECT p.uid, p.campaign_id, p.label, p.platform, p.geo, p.currency, p.kpi, p.c, p.sigma, p.weak, p.value_per_unit AS v,
	       p.period_start, p.period_end, p.s0, a.recommended_spend::float8 AS s1,
	       a.recommended_spend::float8 - p.s0 AS d, a.marginal_roas_now AS m0, a.marginal_roas_after AS m1,
	       s.delta_value::float8 AS dv,
	       p.value_per_unit * s.delta_response_lo AS dv_lo, p.value_per_unit * s.delta_response_hi AS dv_hi,
	       a.binding_constraint
	FROM port AS p JOIN alloc1 AS a ON a.uid = p.uid JOIN sim1 AS s ON s.uid = p.uid
	WHERE abs(a.recommended_spend::float8 - p.s0) >= 0.5
),
-- pair the money given (lowest marginal ROAS first) with the money taken
-- (highest first) along two cumulative scales
donors AS (
	SELECT m.*, -m.d AS amt, sum(-m.d) OVER (ORDER BY m.m0, m.uid) AS c_end FROM moves AS m WHERE m.d < 0
),
receivers AS (
	SELECT m.*, m.d AS amt, sum(m.d) OVER (ORDER BY m.m0 DESC, m.uid) AS c_end FROM moves AS m WHERE m.d > 0
),
-- which donor overlaps which receiver, on the intervals alone (a non-equi
-- join: a nested loop over narrow rows; the wide rows join by uid after)
overlap AS (
	SELECT d.uid AS d_uid, r.uid AS r_uid
	FROM (SELECT x.uid, x.c_end - x.amt AS lo, x.c_end AS hi FROM donors AS x) AS d
	JOIN (SELECT x.uid, x.c_end - x.amt AS lo, x.c_end AS hi FROM receivers AS x) AS r
	  ON d.lo < r.hi AND r.lo < d.hi
),
pairs AS (
	SELECT d.uid AS d_uid, r.uid AS r_uid,
	       least(d.c_end, r.c_end) - greatest(d.c_end - d.amt, r.c_end - r.amt) AS a,
	       d.label AS d_cp, r.label AS r_cp, r.platform AS r_pf, r.geo AS r_geo, r.currency,
	       r.period_start, r.period_end, d.m0 AS d_m0, r.m0 AS r_m0, d.m1 AS d_m1, r.m1 AS r_m1,
	       d.weak OR r.weak AS weak, r.kpi, r.sigma AS r_sigma, r.c AS r_c, r.s0 AS r_s0,
	       -- each item's change of value, shared out in proportion to the amounts
	       (least(d.c_end, r.c_end) - greatest(d.c_end - d.amt, r.c_end - r.amt)) AS share_amt,
	       d.amt AS d_amt, r.amt AS r_amt, d.dv AS d_dv, d.dv_lo AS d_dv_lo, d.dv_hi AS d_dv_hi,
	       r.dv AS r_dv, r.dv_lo AS r_dv_lo, r.dv_hi AS r_dv_hi
	FROM overlap AS o JOIN donors AS d ON d.uid = o.d_uid JOIN receivers AS r ON r.uid = o.r_uid
),
pair_val AS (
	SELECT q.*,
	       q.r_dv * q.a / q.r_amt + q.d_dv * q.a / q.d_amt AS eff,
	       q.r_dv_lo * q.a / q.r_amt + q.d_dv_lo * q.a / q.d_amt AS eff_lo,
	       q.r_dv_hi * q.a / q.r_amt + q.d_dv_hi * q.a / q.d_amt AS eff_hi,
	       abs(@noa@.response(q.r_c, q.r_s0 + q.a) - @noa@.response(q.r_c, q.r_s0)) AS delta
	FROM pairs AS q WHERE q.a >= 0.5
),
shift_rows AS (
	SELECT 1 AS grp, 0 AS sub,
	       CASE WHEN q.eff_lo > 0 AND NOT q.weak THEN 'shift_budget' ELSE 'test_first' END AS action,
	       NULL::text AS platform, NULL::text AS campaign_id, NULL::text AS geo, q.d_cp AS from_campaign, q.r_cp AS to_campaign,
	       q.a * $5 AS amount, q.a AS per_day, q.eff * $5 AS eff, q.eff_lo * $5 AS eff_lo, q.eff_hi * $5 AS eff_hi,
	       q.currency, q.period_start AS p_start, q.period_end AS p_end,
	       CASE WHEN NOT (q.eff_lo > 0 AND NOT q.weak) AND q.delta > 0 AND q.r_sigma > 0
	            THEN (7 * ceil(least(364, greatest(7, 2 * power($11 + 0.8416, 2) * power(least(q.r_sigma / q.delta, 1e6), 2))) / 7))::integer END AS test_days,
	       CASE WHEN q.eff_lo > 0 AND NOT q.weak THEN 'high' WHEN q.weak THEN 'low' ELSE 'medium' END AS confidence,
	       'reallocation'::text AS reason,
	       format('%sMove %s a day (%s over the %s days) from %s, where the next unit returns %s, to %s, where it returns %s: '
	              '%s more value at the same total spend (interval %s to %s). After the move they return %s and %s. '
	              'Part of noa.allocate''s split of %s a day over %s campaigns%s.',
	              CASE WHEN q.eff_lo > 0 AND NOT q.weak THEN ''
	                   ELSE format('Test first (%s evidence): move the money on alternate weeks for %s days and compare %s of %s. ',
	                               CASE WHEN q.weak THEN 'low' ELSE 'medium' END,
	                               coalesce((7 * ceil(least(364, greatest(7, 2 * power($11 + 0.8416, 2) * power(least(q.r_sigma / nullif(q.delta, 0), 1e6), 2))) / 7))::integer::text, '?'),
	                               q.kpi, q.r_cp) END,
	              to_char(round(q.a::numeric), 'FM999,999,999,990') || coalesce(' ' || q.currency, ''),
	              to_char(round((q.a * $5)::numeric), 'FM999,999,999,990') || coalesce(' ' || q.currency, ''), $5,
	              q.d_cp, round(q.d_m0::numeric, 2), q.r_cp, round(q.r_m0::numeric, 2),
	              to_char(round((q.eff * $5)::numeric), 'FM999,999,999,990') || coalesce(' ' || q.currency, ''),
	              to_char(round((q.eff_lo * $5)::numeric), 'FM999,999,999,990'),
	              to_char(round((q.eff_hi * $5)::numeric), 'FM999,999,999,990'),
	              round(q.d_m1::numeric, 2), round(q.r_m1::numeric, 2),
	              to_char(round((SELECT b.b FROM budget1 AS b)::numeric), 'FM999,999,999,990') || coalesce(' ' || q.currency, ''),
	              (SELECT count(*) FROM port),
	              CASE WHEN $8 IS NOT NULL THEN format(' with role floors %s', $8) ELSE '' END) AS explanation
	FROM pair_val AS q
),
-- a budget given above or below the portfolio's spend: what no pair carries
-- (what the pairs carry per campaign: a campaign gives or takes, never both)
pair_sums AS (
	SELECT x.uid, sum(x.a ORDER BY x.other) AS a
	FROM (SELECT q.d_uid AS uid, q.r_uid AS other, q.a FROM pairs AS q
	      UNION ALL SELECT q.r_uid, q.d_uid, q.a FROM pairs AS q) AS x
	GROUP BY x.uid
),
leftover AS (
	SELECT m.*, abs(m.d) - coalesce(ps.a, 0) AS rest,
	       abs(@noa@.response(m.c, m.s1) - @noa@.response(m.c, m.s0)) AS delta
	FROM moves AS m LEFT JOIN pair_sums AS ps ON ps.uid = m.uid
),
budget_rows AS (
	SELECT 1 AS grp, 0 AS sub,
	       CASE WHEN l.weak THEN 'test_first' WHEN l.d > 0 THEN 'scale_up' ELSE 'cap_spend' END AS action,
	       l.platform, l.campaign_id, l.geo, NULL::text AS from_campaign, NULL::text AS to_campaign,
	       l.rest * $5 AS amount, l.rest AS per_day,
	       (l.dv * l.rest / abs(l.d) - $3 * sign(l.d) * l.rest) * $5 AS eff,
	       (least(l.dv_lo, l.dv) * l.rest / abs(l.d) - $3 * sign(l.d) * l.rest) * $5 AS eff_lo,
	       (greatest(l.dv_hi, l.dv) * l.rest / abs(l.d) - $3 * sign(l.d) * l.rest) * $5 AS eff_hi,
	       l.currency, l.period_start AS p_start, l.period_end AS p_end,
	       CASE WHEN l.weak AND l.delta > 0 AND l.sigma > 0
	            THEN (7 * ceil(least(364, greatest(7, 2 * power($11 + 0.8416, 2) * power(least(l.sigma / l.delta, 1e6), 2))) / 7))::integer END AS test_days,
	       CASE WHEN l.weak THEN 'low' ELSE 'high' END AS confidence, 'budget'::text AS reason,
	       format('%s %s by %s a day (%s over the %s days) to meet the budget of %s: the next unit returns %s there, %s after. '
	              'Value changes by %s (interval %s to %s); with the money valued at the target of %s that is %s.',
	              CASE WHEN l.d > 0 THEN 'Raise' ELSE 'Lower' END, l.campaign_id,
	              to_char(round(l.rest::numeric), 'FM999,999,999,990') || coalesce(' ' || l.currency, ''),
	              to_char(round((l.rest * $5)::numeric), 'FM999,999,999,990') || coalesce(' ' || l.currency, ''), $5,
	              to_char(round($9), 'FM999,999,999,990') || coalesce(' ' || l.currency, ''),
	              round(l.m0::numeric, 2), round(l.m1::numeric, 2),
	              to_char(round((l.dv * l.rest / abs(l.d) * $5)::numeric), 'FMS999,999,999,990'),
	              to_char(round((least(l.dv_lo, l.dv) * l.rest / abs(l.d) * $5)::numeric), 'FMS999,999,999,990'),
	              to_char(round((greatest(l.dv_hi, l.dv) * l.rest / abs(l.d) * $5)::numeric), 'FMS999,999,999,990'),
	              round($3::numeric, 2),
	              to_char(round(((l.dv * l.rest / abs(l.d) - $3 * sign(l.d) * l.rest) * $5)::numeric), 'FMS999,999,999,990'))
	       || CASE WHEN (SELECT b.clamped FROM budget1 AS b)
	               THEN format(' The budget needs deeper cuts than max_change (%s%%) allows: the plan stops at that limit.',
	                           round(($7 * 100)::numeric))
	               ELSE '' END AS explanation
	FROM leftover AS l
	WHERE l.rest >= 0.5
),
-- ---- 4. scale up: extra budget that pays at or above the target ---------------------------
-- (only when no budget is given) noa.allocate with objective max_profit from
-- the reallocated spends: never below them, never above +max_change of the
-- spend before the reallocation nor the highest spend observed; campaigns that
-- gave money in the reallocation, and capped ones, stay where they are.
port2 AS MATERIALIZED (
	SELECT p.*, a.recommended_spend::float8 AS s1,
	       CASE WHEN p.capped OR a.recommended_spend::float8 < p.s0 - 0.005 THEN a.recommended_spend::float8
	            ELSE greatest(least(p.s0 * (1 + $7), p.x_max), a.recommended_spend::float8) END AS hi2
	FROM port AS p JOIN alloc1 AS a ON a.uid = p.uid
	WHERE $9 IS NULL
),
pf2 AS MATERIALIZED (
	SELECT @noa@.portfolio(p.key, p.c, p.s1, p.s1, p.hi2, p.campaign_role, p.value_per_unit, false) AS pf FROM port2 AS p
),
alloc2 AS MATERIALIZED (
	SELECT a.*, p.uid
	FROM pf2, LATERAL @noa@.allocate(pf2.pf, objective => 'max_profit', target => $3, level => $4) AS a
	JOIN port2 AS p ON p.key = a.key
	WHERE pf2.pf IS NOT NULL AND a.row_type = 'item'
),
sim2 AS MATERIALIZED (
	SELECT s.*, p.uid
	FROM pf2,
	     LATERAL (SELECT string_agg(format('set "%s" to %s', replace(a.key, '"', '""'), a.recommended_spend), '; '
	                                ORDER BY a.key) AS ch
	              FROM alloc2 AS a WHERE a.recommended_spend <> round(a.current_spend, 2)) AS c,
	     LATERAL @noa@.simulate(pf2.pf, c.ch, $4) AS s
	JOIN port2 AS p ON p.key = s.key
	WHERE pf2.pf IS NOT NULL AND c.ch IS NOT NULL AND s.row_type = 'item'
),
su AS (
	SELECT p.*, a.recommended_spend::float8 AS s2, a.marginal_roas_now AS m_now, a.marginal_roas_after AS m_after,
	       a.marginal_roas_after_lo AS m_after_lo, a.binding_constraint,
	       s.delta_value::float8 - $3 * (a.recommended_spend::float8 - p.s1) AS gain,
	       p.value_per_unit * s.delta_response_lo - $3 * (a.recommended_spend::float8 - p.s1) AS gain_lo,
	       p.value_per_unit * s.delta_response_hi - $3 * (a.recommended_spend::float8 - p.s1) AS gain_hi,
	       abs(@noa@.response(p.c, a.recommended_spend::float8) - @noa@.response(p.c, p.s1)) AS delta,
	       NOT p.weak AND coalesce(a.marginal_roas_after_lo >= $3, false) AS sure
	FROM port2 AS p JOIN alloc2 AS a ON a.uid = p.uid JOIN sim2 AS s ON s.uid = p.uid
	WHERE a.recommended_spend::float8 >= p.s1 * 1.05 AND a.recommended_spend::float8 - p.s1 >= 0.5
),
scale_rows AS (
	SELECT 1 AS grp, 0 AS sub, CASE WHEN s.sure THEN 'scale_up' ELSE 'test_first' END AS action,
	       s.platform, s.campaign_id, s.geo, NULL::text AS from_campaign, NULL::text AS to_campaign,
	       (s.s2 - s.s1) * $5 AS amount, s.s2 - s.s1 AS per_day,
	       s.gain * $5 AS eff, least(s.gain_lo, s.gain) * $5 AS eff_lo, greatest(s.gain_hi, s.gain) * $5 AS eff_hi,
	       s.currency, s.period_start AS p_start, s.period_end AS p_end,
	       CASE WHEN NOT s.sure AND s.delta > 0 AND s.sigma > 0
	            THEN (7 * ceil(least(364, greatest(7, 2 * power($11 + 0.8416, 2) * power(least(s.sigma / s.delta, 1e6), 2))) / 7))::integer END AS test_days,
	       CASE WHEN s.sure THEN 'high' WHEN s.weak THEN 'low' ELSE 'medium' END AS confidence,
	       'room_before_breakeven'::text AS reason,
	       format('%sRaise %s from %s to %s a day (%s over the %s days): the next unit of spend returns %s now and '
	              '%s at the new level (lower bound %s; target %s); %s. It should bring %s of value, '
	              '%s more than the target return.%s',
	              CASE WHEN s.sure THEN ''
	                   ELSE format('Test first (%s evidence): run the higher spend on alternate weeks for %s days and compare %s. ',
	                               CASE WHEN s.weak THEN 'low' ELSE 'medium' END,
	                               coalesce((7 * ceil(least(364, greatest(7, 2 * power($11 + 0.8416, 2) * power(least(s.sigma / nullif(s.delta, 0), 1e6), 2))) / 7))::integer::text, '?'),
	                               s.kpi) END,
	              s.campaign_id, to_char(round(s.s1::numeric), 'FM999,999,999,990'),
	              to_char(round(s.s2::numeric), 'FM999,999,999,990') || coalesce(' ' || s.currency, ''),
	              to_char(round(((s.s2 - s.s1) * $5)::numeric), 'FM999,999,999,990') || coalesce(' ' || s.currency, ''), $5,
	              round(s.m_now::numeric, 2), round(s.m_after::numeric, 2), round(s.m_after_lo::numeric, 2), round($3::numeric, 2),
	              CASE s.binding_constraint
	                   WHEN 'max_spend' THEN 'the raise stops at the highest spend observed, beyond which the curve is a guess'
	                   WHEN 'min_spend' THEN 'the raise stops where the curve is still reliable'
	                   ELSE CASE WHEN s.s2 >= s.s0 * (1 + $7) - 0.01
	                             THEN format('the raise is limited to +%s%% (max_change)', round(($7 * 100)::numeric))
	                             ELSE 'beyond this level the next unit would return less than the target' END END,
	              to_char(round((s.value_per_unit * (@noa@.response(s.c, s.s2) - @noa@.response(s.c, s.s1)) * $5)::numeric),
	                      'FM999,999,999,990') || coalesce(' ' || s.currency, ''),
	              to_char(round((s.gain * $5)::numeric), 'FM999,999,999,990') || coalesce(' ' || s.currency, ''),
	              CASE WHEN s.warnings IS NOT NULL
	                   THEN format(' Data warning on this campaign: %s (see fix_tracking).', s.warnings) ELSE '' END) AS explanation
	FROM su AS s
	WHERE s.gain > 0
),
-- the value sources of the campaigns a from/to label names (labels are unique
-- by construction; grouped all the same, so a lookup never adds rows)
label_source AS MATERIALIZED (
	SELECT l.label, min(w.value_source) AS lo, max(w.value_source) AS hi
	FROM unit AS w JOIN unit_label AS l ON l.uid = w.uid
	GROUP BY l.label
),
allrows AS (
	SELECT * FROM fix
	UNION ALL SELECT * FROM waste_rows
	UNION ALL SELECT * FROM shift_rows
	UNION ALL SELECT * FROM budget_rows
	UNION ALL SELECT * FROM scale_rows
)
SELECT (row_number() OVER (ORDER BY a.grp > 0, a.sub, CASE WHEN a.grp = 0 THEN -coalesce(a.amount, 0) END,
                                    a.eff DESC NULLS LAST, a.amount DESC NULLS LAST, a.action, a.campaign_id,
                                    a.from_campaign, a.to_campaign, a.reason))::integer,
       a.action, a.platform, a.campaign_id, a.geo, a.from_campaign, a.to_campaign,
       round(a.amount::numeric, 2), round(a.per_day::numeric, 2),
       round(a.eff::numeric, 2), round(a.eff_lo::numeric, 2), round(a.eff_hi::numeric, 2),
       a.currency, a.p_start, a.p_end,
       CASE WHEN a.action = 'test_first' AND x.uid IS NOT NULL THEN x.days ELSE a.test_days END,
       a.confidence, a.reason,
       a.explanation
         || CASE WHEN a.action = 'test_first' AND x.uid IS NOT NULL
                 THEN format(' Most of the doubt is in how much of %s''s reported conversions the shop really gains '
                             '(factor %s, 90%% interval %s to %s; at %s the campaign would just meet the target%s): a spend '
                             'test of this campaign cannot settle that. Run a lift test instead: pause %s in %s on '
                             'alternate weeks for %s days and compare the shop''s KPI (model residual sd %s a day against '
                             '%s reported conversions a day), then refit the model with the result.',
                             x.key, round(x.factor::numeric, 2), round(x.factor_lo::numeric, 2), round(x.factor_hi::numeric, 2),
                             round(x.f_star::numeric, 2),
                             CASE WHEN x.call_in_doubt THEN ', inside that interval' ELSE '; the call is clear, how far to go is not' END,
                             x.key, coalesce(x.geo, 'one region'), x.days,
                             round(x.sigma::numeric, 1), round(x.reported_day::numeric, 1))
                 WHEN u.value_source = 'incremental_model'
                 THEN format(' Valued on incremental value: %s''s conversions times %s (90%% interval %s to %s) from the KPI model.',
                             u.incrementality_key, round(u.factor::numeric, 2), round(u.factor_lo::numeric, 2),
                             round(u.factor_hi::numeric, 2))
                 ELSE '' END,
       CASE WHEN a.action <> 'test_first' THEN NULL
            WHEN x.uid IS NOT NULL THEN format('lift_test: %s in %s', x.key, coalesce(x.geo, 'one region'))
            WHEN a.campaign_id IS NOT NULL THEN format('spend_test: %s', a.campaign_id)
            WHEN a.to_campaign IS NOT NULL THEN format('spend_test: %s', a.to_campaign) END,
       CASE WHEN a.grp = 0 THEN NULL
            WHEN u.uid IS NOT NULL THEN u.value_source
            -- one source over the campaigns moved between (least/greatest skip NULLs)
            WHEN least(fs.lo, fs.hi, ts.lo, ts.hi) = greatest(fs.lo, fs.hi, ts.lo, ts.hi)
            THEN least(fs.lo, fs.hi, ts.lo, ts.hi)
            ELSE 'mixed' END,
       u.factor, u.factor_lo, u.factor_hi
FROM allrows AS a
LEFT JOIN unit AS u ON a.grp > 0 AND a.campaign_id IS NOT NULL AND u.campaign_id = a.campaign_id
                   AND u.platform IS NOT DISTINCT FROM a.platform AND u.geo IS NOT DISTINCT FROM a.geo
LEFT JOIN lift_test AS x ON x.uid = u.uid
LEFT JOIN label_source AS fs ON a.grp > 0 AND fs.label = a.from_campaign
LEFT JOIN label_source AS ts ON a.grp > 0 AND ts.label = a.to_campaign
ORDER BY 1
$sql$;

	SELECT n.nspname INTO ext_nsp
	FROM pg_catalog.pg_extension AS e JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace
	WHERE e.extname = 'noa';
	q := replace(q, '@noa@', quote_ident(ext_nsp));

	BEGIN
		RETURN QUERY EXECUTE q
			USING source, business, target_mroas, level, window_days, as_of, max_change, group_min_share, budget, model,
			      z_two, date_col, platform_col, campaign_col, spend_col, impressions_col, clicks_col, conversions_col,
			      value_col, role_col, geo_col, currency_col, business_date_col, business_orders_col, business_revenue_col,
			      coalesce(group_min_share ~* '(^|[,;[:space:]"])awareness"?[[:space:]]*=', false),
			      incrementality, incrementality_by;
	EXCEPTION WHEN OTHERS OR query_canceled THEN
		-- every error leaves with its SQLSTATE, message, detail and hint but
		-- without the context naming the internal query (kilobytes of SQL a BI
		-- tool would show); argument errors raised inside (a column, role floors
		-- or a budget the optimiser cannot meet) are reported as this function's
		GET STACKED DIAGNOSTICS err_state = RETURNED_SQLSTATE, err_msg = MESSAGE_TEXT,
		                        err_detail = PG_EXCEPTION_DETAIL, err_hint = PG_EXCEPTION_HINT;
		IF err_state IN ('22023', '42703', '42804', '22004', '42809') THEN
			-- invalid_parameter_value, undefined_column, datatype_mismatch,
			-- null_value_not_allowed, wrong_object_type
			err_msg := 'noa.recommendations: ' || regexp_replace(err_msg, '^noa\.[a-z_]+: ', '');
			err_hint := concat_ws(' ', nullif(err_hint, ''),
			                      CASE WHEN err_state = '22023' AND err_msg !~ 'must|unknown'
			                           THEN '(In noa.recommendations, group_min_share sets the role floors and max_change the relative limits.)' END);
		END IF;
		EXECUTE format('SELECT %I._reraise($1, $2, $3, $4)', ext_nsp) USING err_state, err_msg, err_detail, err_hint;
	END;
END;
$function$;

COMMENT ON FUNCTION @extschema@.recommendations(regclass, numeric, regclass, float8, float8, integer, date, float8, text,
                                                text, text, text, text, text, text, text, text, text, text, text,
                                                text, text, text, text, regclass, text) IS
	'the action plan for an ad-spend table: ranked rows (fix_tracking, cut, cap_spend, shift_budget, scale_up, test_first) with the amount, the expected effect with its interval, a confidence bucket, an explanation, the experiment a test_first needs, and whether the value is as platforms report it or incremental (incrementality => KPI models); data-quality errors come first and block advice on the campaigns they concern';
