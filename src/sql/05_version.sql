-- The extension's version string.
CREATE FUNCTION @extschema@.version() RETURNS text
	AS 'MODULE_PATHNAME', 'noa_version'
	LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.version() IS
	'noa extension version, with the GSL and PostgreSQL versions it was built against';
