-- Errors from the public PL/pgSQL functions stay short: a permission denied
-- on the source and a statement timeout leave noa.data_quality, noa.waste and
-- noa.recommendations with their SQLSTATE and message, and message + detail +
-- hint + context (what a client shows with VERBOSITY verbose) under 1 KB.
-- Before, the context carried the generated query: 21 to 60 KB.
SET client_min_messages = warning;
CREATE TABLE err_ads AS SELECT * FROM noa_demo.ad_spend;
CREATE ROLE regress_noa_err;
GRANT USAGE ON SCHEMA noa TO regress_noa_err;

-- Run a statement; return its SQLSTATE, message and the length in bytes of all
-- the error's text fields.
CREATE FUNCTION pg_temp.err_text(stmt text, OUT state text, OUT message text, OUT text_bytes int)
LANGUAGE plpgsql AS $$
DECLARE
	d text; h text; c text;
BEGIN
	EXECUTE stmt;
	state := 'none';
EXCEPTION WHEN OTHERS OR query_canceled THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
	                        d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT, c = PG_EXCEPTION_CONTEXT;
	text_bytes := octet_length(message) + octet_length(coalesce(d, '')) + octet_length(coalesce(h, ''))
	              + octet_length(coalesce(c, ''));
END $$;
GRANT EXECUTE ON FUNCTION pg_temp.err_text(text) TO regress_noa_err;

SET ROLE regress_noa_err;
SELECT f AS function, e.state, e.message, e.text_bytes < 1024 AS under_1kb
FROM (VALUES ('data_quality'), ('waste'), ('recommendations')) AS x(f),
     LATERAL pg_temp.err_text(format('SELECT count(*) FROM noa.%I(%L)', f, 'err_ads')) AS e;
RESET ROLE;

-- (one statement each: the timeout fires once per statement)
SET statement_timeout = '30ms';
SELECT 'data_quality' AS function, e.state, e.message, e.text_bytes < 1024 AS under_1kb FROM pg_temp.err_text($$SELECT count(*) FROM noa.data_quality('err_ads')$$) AS e;
SELECT 'waste' AS function, e.state, e.message, e.text_bytes < 1024 AS under_1kb FROM pg_temp.err_text($$SELECT count(*) FROM noa.waste('err_ads')$$) AS e;
SELECT 'recommendations' AS function, e.state, e.message, e.text_bytes < 1024 AS under_1kb FROM pg_temp.err_text($$SELECT count(*) FROM noa.recommendations('err_ads')$$) AS e;
RESET statement_timeout;

-- argument errors keep their hint
SELECT e.state, e.message, e.text_bytes < 1024 AS under_1kb
FROM pg_temp.err_text($$SELECT count(*) FROM noa.recommendations('err_ads', spend_col => 'Spend')$$) AS e;

DROP TABLE err_ads;
DROP FUNCTION pg_temp.err_text(text);
REVOKE USAGE ON SCHEMA noa FROM regress_noa_err;
DROP ROLE regress_noa_err;
