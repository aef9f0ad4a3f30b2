-- Extension-script security: the install refuses to adopt objects someone
-- created beforehand (CVE-2022-2625 class), and noa's answers do not change
-- under a hostile search_path.  Runs in a scratch database.
SET extra_float_digits = 0;
\set regress_db :DBNAME
CREATE DATABASE noa_security_scratch;
\c noa_security_scratch

-- A trojan object planted in schema noa before the install: CREATE EXTENSION must fail.
CREATE SCHEMA noa;
CREATE FUNCTION noa.version() RETURNS text LANGUAGE sql AS $$ SELECT 'planted' $$;
\set VERBOSITY terse
CREATE EXTENSION noa;
\set VERBOSITY default
SELECT count(*) AS noa_extensions FROM pg_extension WHERE extname = 'noa';
DROP SCHEMA noa CASCADE;

-- An empty schema noa planted by a role that may create schemas (CVE-2023-39417
-- class): CREATE EXTENSION must refuse it rather than adopt it, since its owner
-- could later add look-alike overloads that a superuser's calls would run.
CREATE ROLE regress_noa_attacker;
GRANT CREATE ON DATABASE noa_security_scratch TO regress_noa_attacker;
SET ROLE regress_noa_attacker;
CREATE SCHEMA noa;
RESET ROLE;
\set VERBOSITY terse
CREATE EXTENSION noa;
\set VERBOSITY default
SELECT count(*) AS noa_extensions FROM pg_extension WHERE extname = 'noa';

-- The rename variant: the role moves its schema aside and plants a fresh noa
-- with its own version(); still not adopted.
SET ROLE regress_noa_attacker;
ALTER SCHEMA noa RENAME TO noa_stash;
CREATE SCHEMA noa;
CREATE FUNCTION noa.version() RETURNS text LANGUAGE sql AS $$ SELECT 'attacker' $$;
RESET ROLE;
\set VERBOSITY terse
CREATE EXTENSION noa;
\set VERBOSITY default
SELECT count(*) AS noa_extensions FROM pg_extension WHERE extname = 'noa';

-- A schema the installer owns but lets the role create objects in: refused too.
DROP SCHEMA noa CASCADE;
CREATE SCHEMA noa;
GRANT CREATE ON SCHEMA noa TO regress_noa_attacker;
\set VERBOSITY terse
CREATE EXTENSION noa;
\set VERBOSITY default
SELECT count(*) AS noa_extensions FROM pg_extension WHERE extname = 'noa';
DROP SCHEMA noa;
DROP SCHEMA noa_stash;

-- A clean install works and owns its schema's objects.
CREATE EXTENSION noa;
SELECT noa.version() LIKE 'noa %' AS installed,
	(SELECT nspowner = (SELECT extowner FROM pg_extension WHERE extname = 'noa') FROM pg_namespace WHERE nspname = 'noa') AS schema_owned_by_installer;

-- After a clean install the role can neither rename schema noa nor add to it.
SET ROLE regress_noa_attacker;
\set VERBOSITY terse
ALTER SCHEMA noa RENAME TO noa_stash;
CREATE FUNCTION noa.marginal_roas(text, int, int) RETURNS float8 LANGUAGE sql AS $$ SELECT 0::float8 $$;
\set VERBOSITY default
RESET ROLE;

-- Hostile search_path: look-alike functions and operators in public and pg_temp change nothing.
CREATE TABLE pts AS SELECT x::float8 AS x, 40 * x / (x + 25.0) + 0.3 * sin(x) AS y FROM generate_series(1, 80) x;
CREATE TABLE honest AS SELECT noa.fit_curve(x, y)::text AS c FROM pts;
CREATE FUNCTION public.exp(float8) RETURNS float8 LANGUAGE sql AS $$ SELECT 42::float8 $$;
CREATE FUNCTION public.fit_curve_sfunc(internal, float8, float8) RETURNS internal LANGUAGE internal AS 'int4inc';
CREATE FUNCTION pg_temp.response(noa.curve, float8) RETURNS float8 LANGUAGE sql AS $$ SELECT -1::float8 $$;
SET search_path = public, pg_temp, noa;
SELECT (SELECT noa.fit_curve(x, y)::text FROM pts) = (SELECT c FROM honest) AS same_curve,
	round(noa.response((SELECT c FROM honest)::noa.curve, 50)::numeric, 6) AS response_50;
RESET search_path;

-- No member runs as its owner; no SQL-language member depends on the caller's search_path.
SELECT count(*) FILTER (WHERE p.prosecdef) AS security_definer,
	count(*) FILTER (WHERE p.prolang IN (SELECT oid FROM pg_language WHERE lanname IN ('sql', 'plpgsql'))
		AND p.proconfig IS NULL AND p.prosqlbody IS NULL) AS unpinned_sql
FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'noa';

\c :regress_db
DROP DATABASE noa_security_scratch;
DROP ROLE regress_noa_attacker;
