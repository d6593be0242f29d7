#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Doxygen input filter: lets Doxygen read libaexec's headers as they are.

The headers document every declaration in plain C comments, in prose; this
filter turns those comments into Doxygen comments on the fly, so the sources
need no markup: the file's opening comment becomes its @file text, a comment
standing before a declaration documents it, and a comment after a member on
the same line documents that member; a comment standing before several
declarations with no blank line between them documents each of them (a
Doxygen member group, with DISTRIBUTE_GROUP_DOC). Section rules ("/* ---- time ---- */"),
clang-format switches and comments inside macro bodies stay plain comments.
"""
import re
import sys

PLAIN = re.compile(r"/\*\s*(-{2,}|clang-format|SPDX-License-Identifier)")
DEFINE_TRAILING = re.compile(r"^(#define\s+\w+\s+\S.*?)\s*/\*(?!\*)(.*)$")
TRAILING = re.compile(r"^(\s*[^/\s].*?[;,{])\s*/\*(?!\*)(.*)$")


def is_declaration(line):
    """A line that starts a top-level declaration (not a body or a brace)."""
    return bool(line) and not line[0].isspace() and line[0] not in "{}#/" and not line.startswith("*")


def convert(lines):
    out = []
    seen_file_comment = False
    in_macro = False
    in_comment = False  # inside a converted comment that documents what follows
    group = None  # None, or the count of declarations after the comment so far
    group_start = 0
    for line in lines:
        stripped = line.lstrip()
        if group is not None and not in_comment:
            if stripped == "":
                if group >= 2:
                    out.insert(group_start, "/**@{*/\n")
                    out.append("/**@}*/\n")
                group = None
            elif is_declaration(line) or stripped.startswith("#define"):
                group += 1
        if in_comment:
            out.append(line)
            if "*/" in line:
                in_comment = False
                group, group_start = 0, len(out)
            continue
        if in_macro or stripped.startswith("#define"):
            continued = line.rstrip("\n").endswith("\\")
            m = DEFINE_TRAILING.match(line)
            if not in_macro and not continued and m:
                line = m.group(1) + " /**<" + m.group(2) + "\n"
            out.append(line)
            in_macro = continued
            continue
        if stripped.startswith("/*") and not stripped.startswith("/**") and not PLAIN.match(stripped):
            indent = line[: len(line) - len(stripped)]
            rest = stripped[2:]
            if not seen_file_comment and not indent:
                seen_file_comment = True
                out.append("/** @file\n")
                if rest.strip():
                    out.append(" * " + rest.lstrip())
                in_comment = "*/" not in rest
                continue
            out.append(indent + "/**" + rest)
            if not indent:
                in_comment = "*/" not in rest
                if not in_comment:
                    group, group_start = 0, len(out)
            continue
        m = TRAILING.match(line)
        if m and not PLAIN.match("/*" + m.group(2)):
            out.append(m.group(1) + " /**<" + m.group(2) + "\n")
            continue
        out.append(line)
    return out


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        sys.stdout.write("".join(convert(f.readlines())))
