-- Carryover: the adstock window functions against hand-computed values, their
-- errors; the time-aware fit_curve(day, spend, response) on a series with known
-- carryover; the version-2 curve format; long-run answers and how the curve
-- accessors, the allocator and the simulator say so.
SET extra_float_digits = 0;
SET DateStyle = 'ISO, YMD';

-- ---------------------------------------------------------------------------
-- Transforms.  Days 1, 2, 3 and 5 of January (the 4th has no row, so no spend).
-- ---------------------------------------------------------------------------
CREATE TEMP TABLE tiny (campaign text, day date, spend float8);
INSERT INTO tiny VALUES ('a', '2025-01-01', 100), ('a', '2025-01-02', 0), ('a', '2025-01-03', 50),
	('a', '2025-01-05', 10), ('b', '2025-01-01', 8);

-- Robyn geometric, theta 0.5: 100, 50, 75, then 75 * 0.5^2 + 10 = 28.75 across the missing day.
-- Window of 2 lags: on the 5th, 10 + 0.5 * 0 + 0.25 * 50 = 22.5; normalised / 1.75 = 12.857...
-- Delayed alpha 0.5, peak at lag 1, 2 lags: weights 0.5, 1, 0.5.
SELECT campaign, day, spend,
	noa.adstock_geometric(day, spend, 0.5) OVER w AS geometric,
	noa.adstock_geometric(day, spend, 0.5, 2, false) OVER w AS window_2,
	round((noa.adstock_geometric(day, spend, 0.5, 2, true) OVER w)::numeric, 6) AS window_2_normalized,
	noa.adstock_delayed(day, spend, 0.5, 1, 2, false) OVER w AS delayed,
	round((noa.adstock_weibull_cdf(day, spend, 1, 0.5, 4) OVER w)::numeric, 6) AS weibull_cdf,
	round((noa.adstock_weibull_pdf(day, spend, 2, 0.5, 4) OVER w)::numeric, 6) AS weibull_pdf
FROM tiny WINDOW w AS (PARTITION BY campaign ORDER BY day) ORDER BY campaign, day;

-- Weibull CDF by hand: window 5 days, scale 0.5 -> lambda' = round(1 + 0.5 * 4) = 3, shape 1:
-- weights 1, e^(-1/3), e^(-1/3 - 2/3), ...  On the 3rd: 50 + 0 + 100 * e^(-1) = 86.787944.
SELECT round((50 + 100 * exp(-1.0))::numeric, 6) AS weibull_cdf_by_hand;

-- Integer periods (e.g. weeks since a start): one lag is one period, so the
-- same numbers as the days above.
SELECT period, noa.adstock_geometric(period, spend, 0.5) OVER w AS geometric,
	noa.adstock_geometric(period, spend, 0.5, 2, false) OVER w AS window_2,
	round((noa.adstock_weibull_cdf(period, spend, 1, 0.5, 4) OVER w)::numeric, 6) AS weibull_cdf
FROM (VALUES (1, 100::float8), (2, 0), (3, 50), (5, 10)) v(period, spend) WINDOW w AS (ORDER BY period) ORDER BY period;
SELECT noa.adstock_geometric(period, spend, 0.5) OVER (ORDER BY period DESC) FROM (VALUES (1, 100::float8), (2, 0)) v(period, spend);

-- A long series: the window functions, which reuse one state along the frame,
-- agree with the recursion written out in SQL on every row.
CREATE TEMP TABLE long_series AS
SELECT '2024-01-01'::date + t AS day,
	round((800 + 400 * sin(t * 0.7) + 300 * cos(t * 0.13))::numeric, 2)::float8 AS spend
FROM generate_series(0, 999) t;
WITH RECURSIVE r(day, x) AS (
	(SELECT day, spend FROM long_series ORDER BY day LIMIT 1)
	UNION ALL
	SELECT s.day, s.spend + 0.6 * r.x FROM r JOIN long_series s ON s.day = r.day + 1
)
SELECT count(*) AS rows, count(*) FILTER (WHERE abs(w.g - r.x) <= 1e-9 * r.x) AS equal
FROM r JOIN (SELECT day, noa.adstock_geometric(day, spend, 0.6) OVER (ORDER BY day) AS g FROM long_series) w USING (day);

-- A sliding frame restarts the state: 3 rows of the recursion = the 2-lag window.
SELECT count(*) FILTER (WHERE abs(a - b) > 1e-9 * b) AS differ
FROM (SELECT noa.adstock_geometric(day, spend, 0.6) OVER (ORDER BY day ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS a,
		noa.adstock_geometric(day, spend, 0.6, 2, false) OVER (ORDER BY day) AS b
	FROM long_series) s;

-- Bad parameters and rows.
SELECT noa.adstock_geometric(day, spend, 1.0) OVER (ORDER BY day) FROM tiny WHERE campaign = 'a';
SELECT noa.adstock_geometric(day, spend, -0.1) OVER (ORDER BY day) FROM tiny WHERE campaign = 'a';
SELECT noa.adstock_geometric(day, spend, 'NaN') OVER (ORDER BY day) FROM tiny WHERE campaign = 'a';
SELECT noa.adstock_geometric(day, spend, 0.5, -1, true) OVER (ORDER BY day) FROM tiny WHERE campaign = 'a';
SELECT noa.adstock_delayed(day, spend, 0.5, 3, 2, true) OVER (ORDER BY day) FROM tiny WHERE campaign = 'a';
SELECT noa.adstock_weibull_pdf(day, spend, 2, 1.5, 4) OVER (ORDER BY day) FROM tiny WHERE campaign = 'a';
SELECT noa.adstock_geometric(day, -spend, 0.5) OVER (ORDER BY day) FROM tiny WHERE campaign = 'a' AND spend > 0;
SELECT noa.adstock_geometric(day, NULL, 0.5) OVER (ORDER BY day) FROM tiny;
SELECT noa.adstock_geometric(day, spend, 0.5) OVER (ORDER BY day) FROM tiny;
SELECT noa.adstock_geometric(day, spend, 0.5) OVER (ORDER BY day DESC) FROM tiny WHERE campaign = 'a';
SELECT noa.adstock_geometric(day, spend, CASE WHEN spend > 20 THEN 0.5 ELSE 0.4 END) OVER (ORDER BY day) FROM tiny WHERE campaign = 'a';
SELECT noa.adstock_geometric(day, spend, 0.5) FROM tiny;

-- ---------------------------------------------------------------------------
-- Time-aware fit on a series with known truth: geometric carryover theta 0.5,
-- Hill b 50, k 1500, s 1.3 on the adstocked spend, budgets changing weekly,
-- noise sd 1 (deterministic: hashes, no random()).
-- ---------------------------------------------------------------------------
CREATE FUNCTION pg_temp.u(seed text) RETURNS float8 LANGUAGE sql IMMUTABLE
	RETURN ((('x' || substr(md5(seed), 1, 13))::bit(52)::bigint)::float8 + 0.5) / 4503599627370496.0;
CREATE TEMP TABLE series AS
SELECT s.day, s.spend,
	50 * power(s.a, 1.3) / (power(s.a, 1.3) + power(1500, 1.3))
	  + sqrt(-2 * ln(pg_temp.u('n1|' || s.day))) * cos(2 * pi() * pg_temp.u('n2|' || s.day)) AS response
FROM (SELECT day, spend, noa.adstock_geometric(day, spend, 0.5) OVER (ORDER BY day) AS a
	FROM (SELECT '2024-01-01'::date + t AS day,
			round((800 * exp(0.7 * (2 * pg_temp.u('w|' || (t / 7)) - 1) + 0.15 * (2 * pg_temp.u('d|' || t) - 1)))::numeric, 2)::float8 AS spend
		FROM generate_series(0, 729) t) d) s;

CREATE TEMP TABLE fits AS
SELECT noa.fit_curve(day, spend, response) AS c, noa.fit_curve(spend, response) AS same_day FROM series;

SELECT noa.curve_status(c) AS status, noa.curve_model(c) AS model, (noa.curve_summary(c)).n,
	abs(t.theta - 0.5) <= 0.05 AS theta_within_005, t.theta_se > 0 AND t.theta_se < 0.05 AS theta_se_small,
	abs(t.theta - 0.5) <= 3 * t.theta_se + 0.01 AS theta_se_consistent,
	t.carryover, t.answers, t.at_bound, round((t.long_run_multiplier * (1 - t.theta))::numeric, 12) AS multiplier_check,
	round((t.half_life_days * ln(t.theta) / ln(0.5))::numeric, 12) AS half_life_check
FROM fits, noa.curve_carryover(c) t;

-- The curve answers the long run: a lasting spend x works like x / (1 - theta)
-- on the curve of adstocked spend.  Within 3% of the truth at 600, 800, 1200;
-- the same-day fit of the same rows is far off.
SELECT x,
	abs(noa.response(c, x) / (50 * power(x / 0.5, 1.3) / (power(x / 0.5, 1.3) + power(1500, 1.3))) - 1) < 0.03 AS long_run_response_ok,
	abs(noa.marginal_roas(c, x) / (50 * 1.3 * power(1500, 1.3) * power(x / 0.5, 0.3)
		/ power(power(x / 0.5, 1.3) + power(1500, 1.3), 2) / 0.5) - 1) < 0.03 AS long_run_mroas_ok,
	abs(noa.marginal_roas(same_day, x) / (50 * 1.3 * power(1500, 1.3) * power(x / 0.5, 0.3)
		/ power(power(x / 0.5, 1.3) + power(1500, 1.3), 2) / 0.5) - 1) < 0.03 AS same_day_fit_ok,
	abs(noa.marginal_roas_same_day(c, x) / noa.marginal_roas(c, x) - (1 - (noa.curve_carryover(c)).theta)) < 1e-12
		AS same_day_share_ok
FROM fits, (VALUES (600::float8), (800), (1200)) v(x) ORDER BY x;

-- The summary and jsonb say so; a same-day curve says nothing new.
SELECT left((noa.curve_summary(c)).note, 60) AS note, c::jsonb -> 'long_run' AS long_run,
	c::jsonb -> 'carryover' ->> 'kind' AS kind, c::jsonb -> 'carryover' ->> 'answers' AS answers,
	(noa.curve_carryover(same_day)).answers AS same_day_answers, same_day::jsonb ? 'carryover' AS same_day_has_carryover
FROM fits;

-- Version 2 text: prefix; text and binary round trips bit for bit; a same-day curve stays version 1.
SELECT left(c::text, 28) AS v2_prefix, left(same_day::text, 8) AS v1_prefix,
	c::text::noa.curve::text = c::text AS text_round_trip FROM fits;
\copy fits TO 'results/carryover_fits.bin' WITH (FORMAT binary)
CREATE TEMP TABLE fits_back (LIKE fits);
\copy fits_back FROM 'results/carryover_fits.bin' WITH (FORMAT binary)
SELECT f.c::text = b.c::text AND f.same_day::text = b.same_day::text AS binary_round_trip FROM fits f, fits_back b;

-- Literals: a version-1 value may be flagged long run (a curve kept inside a
-- portfolio); version 2 needs the flag and a theta in [0, 1).
SELECT (noa.curve_summary('v1:hill;status=converged;n=100;iterations=7;starts=3;converged_starts=3;flags=4;params=120,800,2.2;cov=25,40,0.01,40,900,0.02,0.01,0.02,0.0004;ssr=180;sigma=1.3553;r2=0.97;aicc=65.2;x_min=50;x_max=2500;x_mean=900;y_mean=60'::noa.curve)).note;
SELECT 'v2:hill;carryover=geometric;period_days=1;theta=0.5;theta_se=0.01;carryover_flags=0;evaluations=31;status=converged;n=100;iterations=7;starts=3;converged_starts=3;flags=0;params=120,800,2.2;cov=25,40,0.01,40,900,0.02,0.01,0.02,0.0004;ssr=180;sigma=1.3553;r2=0.97;aicc=65.2;x_min=50;x_max=2500;x_mean=900;y_mean=60'::noa.curve;
SELECT 'v2:hill;carryover=geometric;period_days=1;theta=1;theta_se=0.01;carryover_flags=0;evaluations=31;status=converged;n=100;iterations=7;starts=3;converged_starts=3;flags=4;params=120,800,2.2;cov=25,40,0.01,40,900,0.02,0.01,0.02,0.0004;ssr=180;sigma=1.3553;r2=0.97;aicc=65.2;x_min=50;x_max=2500;x_mean=900;y_mean=60'::noa.curve;
SELECT 'v2:hill;carryover=weibull;period_days=1;theta=0.5;theta_se=0.01;carryover_flags=0;evaluations=31;status=converged;n=100;iterations=7;starts=3;converged_starts=3;flags=4;params=120,800,2.2;cov=25,40,0.01,40,900,0.02,0.01,0.02,0.0004;ssr=180;sigma=1.3553;r2=0.97;aicc=65.2;x_min=50;x_max=2500;x_mean=900;y_mean=60'::noa.curve;
SELECT 'v3:hill'::noa.curve;

-- The allocator and the simulator say which answers are long run.
CREATE TEMP TABLE pf AS
SELECT noa.portfolio(k, c, 800) AS p FROM (SELECT 'carryover' AS k, c FROM fits UNION ALL SELECT 'same_day', same_day FROM fits) s;
SELECT key, explanation LIKE '%long run: the curve was fitted with carryover%' AS says_long_run
FROM pf, noa.allocate(p, budget => 1600) WHERE row_type = 'item' ORDER BY key;
SELECT key, explanation LIKE '%long run: the curve was fitted with carryover%' AS says_long_run
FROM pf, noa.simulate(p, 'move 100 from same_day to carryover') WHERE row_type = 'item' ORDER BY key;
-- The portfolio's text form keeps the flag.
SELECT (SELECT p FROM pf)::text::noa.portfolio::text = (SELECT p FROM pf)::text AS portfolio_round_trip;

-- Rows: any order, a NULL response (spend known, response not), one row per day.
SELECT (SELECT noa.fit_curve(day, spend, response) FROM (SELECT * FROM series ORDER BY md5(day::text)) s)::text
	= (SELECT c::text FROM fits) AS order_independent;
SELECT (noa.curve_summary(noa.fit_curve(day, spend, CASE WHEN day = '2024-06-01' THEN NULL ELSE response END))).n
	AS n_without_one_response FROM series;
SELECT noa.fit_curve(day, spend, response) FROM (SELECT * FROM series UNION ALL SELECT * FROM series WHERE day = '2024-03-03') s;
SELECT noa.fit_curve(day, NULL::float8, response) FROM series;
SELECT noa.fit_curve(NULL::date, spend, response) FROM series;
SELECT noa.fit_curve(day, spend, response, 'nonsense') FROM series;
SELECT noa.curve_status(noa.fit_curve(day, spend, response)) AS status FROM series WHERE day < '2024-01-03';

-- Weekly rows (the same values, one row every 7 days): theta is per week, the
-- fit is the same, the half-life 7 times longer in days.
SELECT w.period_days, w.theta = d.theta AS same_theta, round((w.half_life_days / d.half_life_days)::numeric, 9) AS half_life_ratio,
	noa.curve_param(wc, 'k') = noa.curve_param(c, 'k') AS same_curve
FROM (SELECT noa.fit_curve('2024-01-01'::date + 7 * (day - '2024-01-01'::date), spend, response) AS wc FROM series) s,
	fits, noa.curve_carryover(wc) w, noa.curve_carryover(c) d;

-- Other families go through the same search and the long-run rewrite.
SELECT noa.curve_model(c) AS model, abs((noa.curve_carryover(c)).theta - 0.5) <= 0.1 AS theta_close
FROM (SELECT noa.fit_curve(day, spend, response, 'michaelis_menten') AS c FROM series) s;

-- Parallel partial aggregation gives the same curve bit for bit.
CREATE TEMP TABLE many AS SELECT g, s.* FROM series s, generate_series(1, 4) g;
ANALYZE many;
CREATE TEMP TABLE many_serial AS SELECT g, noa.fit_curve(day, spend, response) AS c FROM many GROUP BY g;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT noa.fit_curve(day, spend, response) FROM many WHERE g = 1;
SELECT (SELECT noa.fit_curve(day, spend, response) FROM many WHERE g = 1)::text
	= (SELECT c::text FROM many_serial WHERE g = 1) AS parallel_equal;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
RESET parallel_leader_participation;
