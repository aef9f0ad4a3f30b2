"""Runs examples/dbt/ without dbt (which cannot be installed here).

Renders each model the simple way: {{ ref('m') }} -> "db"."<schema>"."m",
{{ source('s', 't') }} -> "db"."<source schema>"."t" (from models/sources.yml),
{{ var('v') }} -> the value in dbt_project.yml, {{ config(...) }} -> nothing;
materializes each model as a view or a table (dbt_project.yml's +materialized
per folder) in schema dbt_noa, in dependency order, after on-run-start; then
runs the singular tests (tests/*.sql) and the unique / not_null column tests of
models/**/schema.yml, each of which passes when it returns no rows.  Every
statement goes through psql (PGHOST, PGPORT, PGDATABASE, PGUSER).
Prints one line per model and test and, last, "dbt: N passed, M failed".
Usage: python3 scripts/dbt_example.py [examples/dbt]
"""
import glob
import os
import re
import subprocess
import sys

import yaml

SCHEMA = "dbt_noa"
JINJA = re.compile(r"\{\{\s*(\w+)\((.*?)\)\s*\}\}", re.S)


def psql(sql):
    """Runs sql through psql; returns (ok, stdout, stderr)."""
    run = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                         capture_output=True, text=True)
    return run.returncode == 0, run.stdout.strip(), run.stderr.strip()


def quoted(*names):
    return ".".join('"%s"' % n.replace('"', '""') for n in names)


class Project:
    """The parts of a dbt project this runner understands."""

    def __init__(self, root):
        self.root = root
        self.conf = yaml.safe_load(open(os.path.join(root, "dbt_project.yml")))
        self.db = psql("SELECT current_database()")[1]
        self.sources = {}
        self.columns_tests = []           # (model, column, test)
        for path in glob.glob(os.path.join(root, "models", "**", "*.yml"), recursive=True):
            doc = yaml.safe_load(open(path)) or {}
            for src in doc.get("sources", []):
                self.sources[src["name"]] = src.get("schema", src["name"])
            for model in doc.get("models", []):
                for col in model.get("columns", []):
                    for test in col.get("tests", []):
                        self.columns_tests.append((model["name"], col["name"], test))
        self.models = {}                  # name -> (folder, raw sql)
        for path in sorted(glob.glob(os.path.join(root, "models", "**", "*.sql"), recursive=True)):
            folder = os.path.relpath(os.path.dirname(path), os.path.join(root, "models"))
            self.models[os.path.basename(path)[:-4]] = (folder, open(path).read())

    def render(self, raw):
        """The SQL of a model or test with ref(), source(), var() and config() replaced."""
        def one(m):
            fn, args = m.group(1), [a.strip().strip("'\"") for a in m.group(2).split(",")]
            if fn == "ref":
                return quoted(self.db, SCHEMA, args[0])
            if fn == "source":
                return quoted(self.db, self.sources[args[0]], args[1])
            if fn == "var":
                return str(self.conf["vars"][args[0]])
            if fn == "config":
                return ""
            raise ValueError("unsupported Jinja call %s()" % fn)
        return JINJA.sub(one, raw)

    def materialized(self, name):
        """view or table, from a config() call in the model or +materialized of its folder."""
        folder, raw = self.models[name]
        m = re.search(r"config\(\s*materialized\s*=\s*['\"](\w+)", raw)
        if m:
            return m.group(1)
        node = self.conf.get("models", {}).get(self.conf["name"], {})
        kind = node.get("+materialized", "view")
        for part in folder.split(os.sep):
            node = node.get(part, {})
            kind = node.get("+materialized", kind)
        return kind

    def order(self):
        """Model names in dependency order (refs first); ties by name."""
        deps = {n: set(re.findall(r"ref\(\s*['\"](\w+)", raw)) for n, (_, raw) in self.models.items()}
        done, out = set(), []
        while len(out) < len(deps):
            ready = sorted(n for n in deps if n not in done and deps[n] <= done)
            if not ready:
                raise ValueError("ref() cycle or unknown model among %s" % sorted(set(deps) - done))
            out.append(ready[0])
            done.add(ready[0])
        return out


def main(root):
    project = Project(root)
    passed = failed = 0

    def report(ok, what, err=""):
        nonlocal passed, failed
        if ok:
            passed += 1
            print("ok dbt %s" % what)
        else:
            failed += 1
            print("not ok dbt %s" % what)
            for line in err.splitlines()[:8]:
                print("    " + line)

    for hook in project.conf.get("on-run-start", []):
        ok, _, err = psql(hook)
        report(ok, "on-run-start: %s" % hook, err)
    psql("DROP SCHEMA IF EXISTS %s CASCADE" % SCHEMA)
    ok, _, err = psql("CREATE SCHEMA %s" % SCHEMA)
    report(ok, "schema %s" % SCHEMA, err)
    for name in project.order():
        kind = project.materialized(name)
        sql = "CREATE %s %s AS\n%s" % ("VIEW" if kind == "view" else "TABLE", quoted(SCHEMA, name),
                                       project.render(project.models[name][1]).rstrip().rstrip(";"))
        ok, _, err = psql(sql)
        rows = psql("SELECT count(*) FROM %s" % quoted(SCHEMA, name))[1] if ok else "?"
        report(ok and rows not in ("", "0"), "model %s (%s, %s rows)" % (name, kind, rows),
               err or "the model has no rows")
    tests = [(os.path.basename(p)[:-4], project.render(open(p).read()).rstrip().rstrip(";"))
             for p in sorted(glob.glob(os.path.join(root, "tests", "*.sql")))]
    for model, column, test in project.columns_tests:
        col = quoted(column)
        sql = {"not_null": "SELECT * FROM %s WHERE %s IS NULL" % (quoted(SCHEMA, model), col),
               "unique": "SELECT %s FROM %s GROUP BY 1 HAVING count(*) > 1" % (col, quoted(SCHEMA, model))}.get(test)
        if sql is None:
            report(False, "test %s on %s.%s" % (test, model, column), "this runner knows unique and not_null only")
            continue
        tests.append(("%s_%s_%s" % (test, model, column), sql))
    for name, sql in tests:
        ok, out, err = psql("SELECT count(*) FROM (\n%s\n) AS t" % sql)
        report(ok and out == "0", "test %s (%s failing rows)" % (name, out if ok else "?"), err)
    print("dbt: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "examples/dbt"))
