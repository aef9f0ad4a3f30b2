#!/usr/bin/env python3
"""Build an extension update script from the current install-script parts.

Usage: update-script.py FROM TO OLD_SCRIPT HAND_PART NEW_PART... > noa--FROM--TO.sql

OLD_SCRIPT is the frozen install script of the release FROM (src/sql/released/);
HAND_PART is the hand-written part of the update (src/sql/update/FROM--TO.sql):
drops of functions whose signature, result or argument names changed, and
changes to types.  The NEW_PARTs are the install-script parts of TO (without
the install-only preamble).  Every statement of the NEW_PARTs is carried over:

  - CREATE FUNCTION / CREATE AGGREGATE of an object that OLD_SCRIPT created
    and HAND_PART did not drop becomes CREATE OR REPLACE (the object is
    already a member of the extension: PostgreSQL's documented safe case);
  - any other CREATE FUNCTION / AGGREGATE stays a plain CREATE;
  - CREATE TYPE and CREATE CAST of an object OLD_SCRIPT created are left out
    (types cannot be replaced; a changed type belongs in HAND_PART);
  - everything else (COMMENT, DROP, SELECT ...) is carried over unchanged.

So the update script follows the parts by construction; the test
test/upgrade/run.sh proves it by comparing an updated database's catalog
with a fresh install's.
"""
import re
import sys

# Type spellings that mean the same type in a signature.
TYPE_ALIASES = {
    'double precision': 'float8', 'float': 'float8', 'real': 'float4',
    'integer': 'int4', 'int': 'int4', 'bigint': 'int8', 'smallint': 'int2',
    'boolean': 'bool', 'character varying': 'varchar',
}
MODES = ('in', 'out', 'inout', 'variadic')


def statements(text):
    """Split SQL into statements: quotes, dollar quotes, comments and
    BEGIN ATOMIC ... END bodies are respected.  psql backslash lines are
    statements of their own."""
    out, start, i, n = [], 0, 0, len(text)
    atomic = 0          # nesting depth inside BEGIN ATOMIC (CASE ... END counts)
    prev_word = ''
    while i < n:
        c = text[i]
        if c == '\\' and text[start:i].strip() == '':
            j = text.find('\n', i)
            j = n if j < 0 else j + 1
            out.append(text[i:j]); start = i = j
            continue
        if text.startswith('--', i):
            j = text.find('\n', i); i = n if j < 0 else j + 1
        elif text.startswith('/*', i):
            i = text.index('*/', i + 2) + 2
        elif c == "'":
            i += 1
            while True:
                j = text.index("'", i)
                if text.startswith("''", j):
                    i = j + 2
                else:
                    i = j + 1; break
        elif c == '"':
            i = text.index('"', i + 1) + 1
        elif c == '$' and re.match(r'\$([A-Za-z_][A-Za-z_0-9]*)?\$', text[i:]):
            tag = re.match(r'\$([A-Za-z_][A-Za-z_0-9]*)?\$', text[i:]).group(0)
            i = text.index(tag, i + len(tag)) + len(tag)
        elif c.isalpha() or c == '_':
            m = re.match(r'[A-Za-z_][A-Za-z_0-9]*', text[i:])
            word = m.group(0).upper()
            if atomic == 0 and prev_word == 'BEGIN' and word == 'ATOMIC':
                atomic = 1
            elif atomic and word == 'CASE':
                atomic += 1
            elif atomic and word == 'END':
                atomic -= 1
            prev_word = word
            i += len(m.group(0))
        elif c == ';' and atomic == 0:
            out.append(text[start:i + 1]); start = i = i + 1
        else:
            i += 1
    if text[start:].strip():
        out.append(text[start:])
    return out


def code(stmt):
    """The statement without its leading comments and blank lines."""
    return re.sub(r'\A(\s*--[^\n]*\n)*\s*', '', stmt)


def balanced(s, open_at):
    """The text inside the parenthesis that opens at s[open_at]."""
    depth = 0
    for j in range(open_at, len(s)):
        if s[j] == '(':
            depth += 1
        elif s[j] == ')':
            depth -= 1
            if depth == 0:
                return s[open_at + 1:j]
    raise ValueError('unbalanced parenthesis in: ' + s[:200])


def split_top(s, sep=','):
    parts, depth, cur = [], 0, ''
    for ch in s:
        depth += ch == '('
        depth -= ch == ')'
        if ch == sep and depth == 0:
            parts.append(cur); cur = ''
        else:
            cur += ch
    if cur.strip():
        parts.append(cur)
    return parts


def norm_type(t):
    t = ' '.join(t.lower().replace('@extschema@.', '').split())
    return TYPE_ALIASES.get(t, t)


def input_types(args):
    """The input argument types of a signature (names, defaults, OUT args dropped)."""
    types = []
    for arg in split_top(args.replace(' ORDER BY ', ',').replace(' order by ', ',')):
        arg = re.split(r'\s+(?:DEFAULT|default)\s|\s*=\s', ' ' + arg.strip() + ' ', maxsplit=1)[0].split()
        if not arg:
            continue
        if arg[0].lower() in MODES:
            if arg[0].lower() == 'out':
                continue
            arg = arg[1:]
        whole = ' '.join(arg).lower()
        if len(arg) >= 2 and whole not in TYPE_ALIASES and not whole.startswith(('double ', 'character ')):
            arg = arg[1:]
        types.append(norm_type(' '.join(arg)))
    return tuple(types)


CREATE_ROUTINE = re.compile(r'CREATE\s+(?:OR\s+REPLACE\s+)?(FUNCTION|AGGREGATE)\s+@extschema@\.(\w+)\s*\(', re.I)
DROP_ROUTINE = re.compile(r'DROP\s+(FUNCTION|AGGREGATE)\s+@extschema@\.(\w+)\s*\(', re.I)
CREATE_TYPE = re.compile(r'CREATE\s+TYPE\s+@extschema@\.(\w+)', re.I)
DROP_TYPE = re.compile(r'DROP\s+TYPE\s+@extschema@\.(\w+)', re.I)
CREATE_CAST = re.compile(r'CREATE\s+CAST\s*\(\s*(.+?)\s+AS\s+(.+?)\s*\)', re.I | re.S)


def identity(stmt):
    """('routine', name, types), ('type', name), ('cast', src, dst) or None, with
    'create' or 'drop' first."""
    s = code(stmt)
    for verb, rx in (('create', CREATE_ROUTINE), ('drop', DROP_ROUTINE)):
        m = rx.match(s)
        if m:
            return verb, 'routine', m.group(2).lower(), input_types(balanced(s, m.end() - 1))
    for verb, rx in (('create', CREATE_TYPE), ('drop', DROP_TYPE)):
        m = rx.match(s)
        if m:
            return verb, 'type', m.group(1).lower()
    m = CREATE_CAST.match(s)
    if m:
        return 'create', 'cast', norm_type(m.group(1)), norm_type(m.group(2))
    return None


def created(text):
    """Objects a script creates, less those it drops again (in order)."""
    objs = set()
    for stmt in statements(text):
        ident = identity(stmt)
        if ident and ident[0] == 'create':
            objs.add(ident[1:])
        elif ident and ident[0] == 'drop':
            objs.discard(ident[1:])
    return objs


def main(argv):
    if len(argv) < 6:
        sys.exit(__doc__)
    old_version, new_version, old_script, hand_part = argv[1:5]
    with open(old_script) as f:
        members = created(f.read())
    with open(hand_part) as f:
        hand = f.read()
    for stmt in statements(hand):
        ident = identity(stmt)
        if ident and ident[0] == 'drop':
            members.discard(ident[1:])
        elif ident and ident[0] == 'create':
            members.add(ident[1:])
    w = sys.stdout.write
    w('\\echo Use "ALTER EXTENSION noa UPDATE TO \'%s\'" to load this file. \\quit\n' % new_version)
    w('-- noa update %s -> %s, generated by scripts/update-script.py from %s,\n'
      '-- %s and the install-script parts of %s.  Do not edit: edit the parts.\n\n'
      % (old_version, new_version, old_script, hand_part, new_version))
    w('-- ---- hand-written part: %s ----\n' % hand_part)
    for stmt in statements(hand):
        if not stmt.lstrip().startswith('\\'):
            w(stmt)
    w('\n\n-- ---- generated from the install-script parts ----\n')
    for part in argv[5:]:
        with open(part) as f:
            text = f.read()
        w('\n-- ---- %s ----\n' % part)
        for stmt in statements(text):
            if stmt.lstrip().startswith('\\'):
                continue
            ident = identity(stmt)
            if ident and ident[0] == 'create' and ident[1:] in members:
                if ident[1] == 'routine':
                    body = code(stmt)
                    stmt = stmt[:len(stmt) - len(body)] + CREATE_ROUTINE.sub(lambda m: m.group(0).replace(
                        m.group(1), 'OR REPLACE ' + m.group(1), 1), body, count=1)
                else:
                    w('\n-- (%s %s exists since %s: kept)' % (ident[1], ' '.join(map(str, ident[2:])), old_version))
                    continue
            w(stmt)
        w('\n')


if __name__ == '__main__':
    main(sys.argv)
