\echo Use "CREATE EXTENSION noa" to load this file. \quit

-- noa install script.  Edited as src/sql/*.sql (one concern per file) and
-- concatenated by the Makefile into noa--<version>.sql.
-- Rules: objects are created in @extschema@ (written outside quotes); no OR
-- REPLACE, IF NOT EXISTS or DO; SQL bodies are BEGIN ATOMIC or pin search_path.

CREATE FUNCTION @extschema@.version() RETURNS text
	AS 'MODULE_PATHNAME', 'noa_version'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.version() IS
	'noa extension version, with the GSL and PostgreSQL versions it was built against';
