#!/usr/bin/env python3
"""Lists public declarations under Sources/ that have no doc comment (`///` or `/** */`)
directly above them (attributes such as @inlinable may sit between).

Counts per target by default; `-v` lists each as file:line; `--strict` exits 1 if any is found
(Scripts/test.sh runs it so). Declarations: `public`/`open` funcs, vars, lets, inits, types,
typealiases, subscripts (also with `private(set)`/`internal(set)`), and the cases of public enums.
Generated files are skipped."""
import collections, os, re, sys

DECL = re.compile(r'^\s*(@[\w.]+(\([^)]*\))?\s+)*(public|open)(\s+(private|internal|fileprivate)\(set\))?\s+'
                  r'((static|final|mutating|nonmutating|override|convenience|required|indirect|lazy|class|nonisolated)\s+)*'
                  r'(func|var|let|init|struct|enum|class|protocol|typealias|subscript|case|actor|static|init\?|init\()')
PUBLIC_ENUM = re.compile(r'^\s*(@[\w.]+(\([^)]*\))?\s+)*public\s+(indirect\s+)?enum\s')
CASE = re.compile(r'^\s*(indirect\s+)?case\s+\w')
GENERATED = ('Blake2bCompress.swift',)

def undocumented(path):
    lines = open(path, encoding='utf-8').read().split('\n')
    out, total = [], 0
    enum_depth = []  # brace depths at which a public enum's body starts
    depth = 0
    for i, line in enumerate(lines):
        code = re.sub(r'//.*', '', line)
        is_decl = bool(DECL.match(line))
        is_case = bool(enum_depth) and depth == enum_depth[-1] and CASE.match(line) and not code.rstrip().endswith(':')
        if (is_decl or is_case) and not re.match(r'^\s*(public\s+)?extension', line):
            total += 1
            j = i - 1
            while j >= 0 and re.match(r'^\s*@\w+', lines[j]):
                j -= 1
            prev = lines[j].strip() if j >= 0 else ''
            if not (prev.startswith('///') or prev.endswith('*/')):
                out.append((i + 1, line.strip()))
        if PUBLIC_ENUM.match(line) and '{' in code:
            enum_depth.append(depth + 1)
        depth += code.count('{') - code.count('}')
        while enum_depth and depth < enum_depth[-1]:
            enum_depth.pop()
    return out, total

def main():
    verbose, strict = '-v' in sys.argv, '--strict' in sys.argv
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'Sources')
    missing, totals = collections.Counter(), collections.Counter()
    for dirpath, _, files in sorted(os.walk(root)):
        for f in sorted(files):
            if not f.endswith('.swift') or f in GENERATED:
                continue
            path = os.path.join(dirpath, f)
            target = os.path.relpath(dirpath, root).split(os.sep)[0]
            found, total = undocumented(path)
            totals[target] += total
            missing[target] += len(found)
            if verbose:
                for n, text in found:
                    print(f'{os.path.relpath(path, os.path.join(root, ".."))}:{n}: {text}')
    for t in sorted(totals):
        print(f'Sources/{t} {missing[t]} / {totals[t]}')
    if strict and sum(missing.values()):
        print(f'{sum(missing.values())} public declarations have no doc comment (run with -v to list them)', file=sys.stderr)
        sys.exit(1)

main()
