-- The KPI model's track record (noa.kpi_model_backtest) on the demo data (runs
-- after demo_data): fit per country on the data up to a cutoff, forecast the
-- next 28 days of shop orders from the spend actually made, compare.
SET extra_float_digits = 0;
SET DateStyle = 'ISO, YMD';

CREATE TABLE bt_models AS
SELECT s.geo, noa.fit_kpi_model(s.date_day, s.campaign_id, s.spend::float8, o.orders::float8,
	s.conversions::float8) AS model
FROM noa_demo.ad_spend s JOIN noa_demo.shop_orders o USING (date_day, geo)
GROUP BY s.geo;

CREATE TEMP TABLE bt AS
SELECT m.geo, c.cutoff, b.*
FROM bt_models m, (VALUES (date '2025-03-31'), ('2025-06-30'), ('2025-09-30'), ('2025-12-03')) c(cutoff),
	noa.kpi_model_backtest(m.model, c.cutoff) b;

-- Summary rows (day NULL) per country and cutoff: forecast and actual orders
-- over the 28 days, mean absolute percentage error, and the share of days
-- inside the 90% interval.
SELECT geo, cutoff, round(predicted::numeric) AS predicted, round(actual::numeric) AS actual,
	round(abs_pct_error::numeric, 3) AS mape, round(coverage::numeric, 2) AS coverage
FROM bt WHERE day IS NULL AND component = 'total' ORDER BY geo, cutoff;

-- Over all 16 windows (448 held-out days): the 90% intervals cover 80-95% of
-- the days, and the daily forecast is off by less than 5% on average.
SELECT count(*) AS days, round(avg(covered::int)::numeric, 3) AS coverage,
	avg(covered::int) BETWEEN 0.80 AND 0.95 AS coverage_80_to_95,
	avg(abs_pct_error) < 0.05 AS mape_below_5pct
FROM bt WHERE day IS NOT NULL AND component = 'total';

-- Each day's total is the forecast organic part plus the channels' forecast
-- contributions; channels carry intervals, only the total has an actual.
SELECT bool_and(c.lo <= c.v AND c.v <= c.hi) AS channel_estimate_inside_interval,
	bool_and(c.v >= 0) AS channel_contributions_nonnegative,
	bool_and(t.predicted > c.v) AS total_exceeds_media
FROM (SELECT geo, cutoff, day, sum(predicted) AS v, sum(predicted_lo) AS lo, sum(predicted_hi) AS hi
      FROM bt WHERE day IS NOT NULL AND component <> 'total' GROUP BY 1, 2, 3) c
	JOIN bt t ON t.geo = c.geo AND t.cutoff = c.cutoff AND t.day = c.day AND t.component = 'total';
SELECT count(*) FILTER (WHERE actual IS NOT NULL) AS channel_rows_with_actual
FROM bt WHERE component <> 'total';

-- Same model, same cutoff: the same rows.
SELECT (SELECT array_agg(predicted ORDER BY day, component) FROM bt_models, noa.kpi_model_backtest(model, '2025-09-30', 14) WHERE geo = 'ES')
	= (SELECT array_agg(predicted ORDER BY day, component) FROM bt_models, noa.kpi_model_backtest(model, '2025-09-30', 14) WHERE geo = 'ES')
	AS deterministic;

-- Bad input.
SELECT count(*) FROM bt_models, noa.kpi_model_backtest(model, '2025-12-20') WHERE geo = 'ES';
SELECT count(*) FROM bt_models, noa.kpi_model_backtest(model, '2023-06-01') WHERE geo = 'ES';
SELECT count(*) FROM bt_models, noa.kpi_model_backtest(model, '2025-06-01', 0) WHERE geo = 'ES';
SELECT count(*) FROM bt_models, noa.kpi_model_backtest(model, '2024-01-20') WHERE geo = 'ES';

-- Did a spend change deliver (noa.kpi_model_followup)?  Refit up to the day,
-- forecast with the spend made and with the campaign held at its last-28-day
-- mean.  More spend predicts more orders, less spend fewer; one campaign of
-- twelve moves a month of German orders by less than the noise, and the
-- verdict says so instead of claiming a result.
SELECT f.channel, f.decision_day, round(f.spend_before) AS spend_before, round(f.spend_after) AS spend_after,
	CASE WHEN abs(f.spend_after - f.spend_before) >= 0.05 * f.spend_before
		THEN sign(f.predicted_effect) = sign(f.spend_after - f.spend_before) END AS effect_follows_spend,
	f.realized_lo < f.realized_effect AND f.realized_effect < f.realized_hi AS interval_around_realized,
	f.verdict
FROM bt_models m, (VALUES ('ggl-de-02'), ('fb-de-02'), ('ms-de-02')) c(channel),
	(VALUES (date '2025-06-30'), ('2025-09-30')) d(day), noa.kpi_model_followup(m.model, d.day, c.channel, 28) f
WHERE m.geo = 'DE' ORDER BY f.decision_day, f.channel;
SELECT count(*) FROM bt_models, noa.kpi_model_followup(model, '2025-06-30', 'no-such-campaign') WHERE geo = 'DE';
SELECT count(*) FROM bt_models, noa.kpi_model_followup(model, '2025-12-30', 'ggl-de-02') WHERE geo = 'DE';
