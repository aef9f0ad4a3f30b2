/*
 * install_guard.c — refuse to install into a schema noa that someone else
 * made (the CVE-2023-39417 class).
 *
 * noa.control names schema noa; when that schema already exists, CREATE
 * EXTENSION adopts it as it is.  A role that created it beforehand would keep
 * owning it and could add look-alike overloads (e.g. noa.marginal_roas with
 * other argument types) that a superuser's call then runs, or rename it and
 * put its own noa in its place.  The install script calls this check first.
 *
 * The schema must belong to the role that runs CREATE EXTENSION, which is the
 * new extension's owner.  That is not always the current user: noa is a
 * trusted extension, and a database owner's CREATE EXTENSION runs the script
 * as the bootstrap superuser while the schema it creates is the caller's.
 * For such an install (by a role that is not a superuser) the schema must
 * also be empty: the script runs with superuser rights, and objects the
 * caller placed in the schema beforehand could capture its references.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/pg_depend.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_namespace.h"
#include "commands/extension.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

/* Whether the schema's ACL grants CREATE to a role other than its owner (or to PUBLIC). */
static bool
others_may_create(HeapTuple tup, Oid owner)
{
	bool		isnull;
	Datum		d = SysCacheGetAttr(NAMESPACEOID, tup, Anum_pg_namespace_nspacl, &isnull);
	Acl		   *acl;
	Oid		   *roles;
	int			n,
				i;

	if (isnull)
		return false;			/* default privileges: only the owner creates */
	acl = DatumGetAclP(d);
	if (aclmask(acl, ACL_ID_PUBLIC, owner, ACL_CREATE, ACLMASK_ANY) != 0)
		return true;
	n = aclmembers(acl, &roles);
	for (i = 0; i < n; i++)
		if (roles[i] != owner && aclmask(acl, roles[i], owner, ACL_CREATE, ACLMASK_ANY) != 0)
			return true;
	return false;
}

/* The owner of the extension being created: the role that ran CREATE EXTENSION. */
static Oid
creating_extension_owner(void)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tup;
	Oid			owner;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(CurrentExtensionObject));
	scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	tup = systable_getnext(scan);
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "could not find extension %u", CurrentExtensionObject);
	owner = ((Form_pg_extension) GETSTRUCT(tup))->extowner;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return owner;
}

/*
 * Whether schema nsp holds any object besides the function guard (every object
 * depends on its schema; so does the extension being created, which is not in it).
 */
static bool
schema_holds_objects(Oid nsp, Oid guard)
{
	Relation	rel;
	ScanKeyData key[2];
	SysScanDesc scan;
	HeapTuple	tup;
	bool		found = false;

	rel = table_open(DependRelationId, AccessShareLock);
	ScanKeyInit(&key[0], Anum_pg_depend_refclassid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(NamespaceRelationId));
	ScanKeyInit(&key[1], Anum_pg_depend_refobjid, BTEqualStrategyNumber, F_OIDEQ,
				ObjectIdGetDatum(nsp));
	scan = systable_beginscan(rel, DependReferenceIndexId, true, NULL, 2, key);
	while (!found && HeapTupleIsValid(tup = systable_getnext(scan)))
	{
		Form_pg_depend dep = (Form_pg_depend) GETSTRUCT(tup);

		found = !(dep->classid == ProcedureRelationId && dep->objid == guard)
			&& !(dep->classid == ExtensionRelationId && dep->objid == CurrentExtensionObject);
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

PG_FUNCTION_INFO_V1(noa_install_guard);

/*
 * Called by the install script: the extension's schema must be owned by the
 * role running CREATE EXTENSION, and no other role may create objects in it;
 * when that role is not a superuser (a trusted install), it must be empty.
 */
Datum
noa_install_guard(PG_FUNCTION_ARGS)
{
	Oid			nsp;
	HeapTuple	tup;
	Form_pg_namespace form;
	const char *name;
	Oid			installer;

	if (!creating_extension)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("noa's install guard runs only inside CREATE EXTENSION noa")));
	/* the guard is created in the extension's schema: that is the one to check */
	nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	tup = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "cache lookup failed for schema %u", nsp);
	form = (Form_pg_namespace) GETSTRUCT(tup);
	name = pstrdup(NameStr(form->nspname));
	installer = creating_extension_owner();
	if (form->nspowner != installer)
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_SCHEMA),
				 errmsg("schema \"%s\" already exists and is owned by role \"%s\", not by the role installing noa",
						name, GetUserNameFromId(form->nspowner, false)),
				 errdetail("Its owner could place look-alike functions in it that noa's callers would run."),
				 errhint("Check what schema \"%s\" holds, drop or rename it, then run CREATE EXTENSION noa "
						 "again: noa creates the schema itself.", name)));
	if (others_may_create(tup, form->nspowner))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_SCHEMA),
				 errmsg("schema \"%s\" already exists and lets other roles create objects in it", name),
				 errdetail("Those roles could place look-alike functions in it that noa's callers would run."),
				 errhint("Check what schema \"%s\" holds, drop or rename it, then run CREATE EXTENSION noa "
						 "again: noa creates the schema itself.", name)));
	if (!superuser_arg(installer) && schema_holds_objects(nsp, fcinfo->flinfo->fn_oid))
		ereport(ERROR,
				(errcode(ERRCODE_DUPLICATE_SCHEMA),
				 errmsg("schema \"%s\" already exists and is not empty", name),
				 errdetail("noa's install script runs as a superuser when a role that is not one installs it; "
						   "objects placed in its schema beforehand could capture the script's references."),
				 errhint("Drop or rename schema \"%s\", then run CREATE EXTENSION noa again: noa creates the "
						 "schema itself.", name)));
	ReleaseSysCache(tup);
	PG_RETURN_VOID();
}
