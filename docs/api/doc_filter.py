#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Doxygen input filter: lets Doxygen read libaexec's headers as they are.

The headers document every declaration in plain C comments, in prose; this
filter turns those comments into Doxygen comments on the fly, so the sources
need no markup:
- the file's opening comment becomes its @file text;
- a comment standing before a declaration (or a struct member) documents it,
  and a comment after one on the same line documents that one;
- a comment standing before several declarations (or members) with no blank
  line between them documents each of them (a Doxygen member group, with
  DISTRIBUTE_GROUP_DOC);
- inside a struct, a comment that starts with "private:" (the kernel-doc
  convention) hides the members after it: they are the library's state, not
  API ("public:" shows members again). The comment's own text stays in the
  header for the reader of the source.
Section rules ("/* ---- time ---- */"), clang-format switches and comments
inside macro bodies stay plain comments. Every output line stands for one
input line, so Doxygen's warnings point at the right line of the header.
"""
import re
import sys

PLAIN = re.compile(r"/\*\s*(-{2,}|clang-format|SPDX-License-Identifier)")
SECTION = re.compile(r"/\*\s*(private|public):")
DEFINE_TRAILING = re.compile(r"^(#define\s+\w+\s+\S.*?)\s*/\*(?!\*)(.*)$")
TRAILING = re.compile(r"^(\s*[^/\s].*?[;,{])\s*/\*(?!\*)(.*)$")


def indent_of(line):
    return len(line) - len(line.lstrip())


def is_declaration(line):
    """A line that starts a declaration or a member (not a body, brace or comment)."""
    s = line.lstrip()
    return bool(s) and s[0] not in "{}#/" and not s.startswith("*")


class Group:
    """The declarations that follow one doc comment at the comment's indent."""

    def __init__(self, out, indent):
        self.out, self.indent, self.count, self.start = out, indent, 0, len(out)

    def close(self):
        """Two or more: opens the group on the comment's last line; returns
        whether the caller should close it on the line that ended it."""
        if self.count >= 2:
            self.out[self.start - 1] = self.out[self.start - 1].rstrip("\n") + " /**@{*/\n"
        return self.count >= 2


def convert(lines):
    out = []
    seen_file_comment = False
    in_macro = False
    in_comment = None  # the indent of the doc comment being copied, or None
    group = None
    close_at = None  # the output line that ends a group: "/**@}*/ " goes before it
    for line in lines:
        if close_at is not None:
            out[close_at], close_at = "/**@}*/ " + out[close_at], None
        stripped = line.lstrip()
        indent = indent_of(line)
        if in_comment is not None:
            out.append(line)
            if "*/" in line:
                group = Group(out, in_comment) if in_comment >= 0 else None
                in_comment = None
            continue
        if group is not None and stripped.startswith("#define") and group.indent == 0:
            group.count += 1
        elif group is not None and not stripped.startswith("#"):
            ends = stripped == "" or indent < group.indent or stripped.startswith("/*")
            if ends:
                close_at = len(out) if group.close() else None
                group = None
            elif indent == group.indent and is_declaration(line):
                group.count += 1
        if in_macro or stripped.startswith("#define"):
            continued = line.rstrip("\n").endswith("\\")
            m = DEFINE_TRAILING.match(line)
            if not in_macro and not continued and m:
                line = m.group(1) + " /**<" + m.group(2) + "\n"
            out.append(line)
            in_macro = continued
            continue
        if indent and SECTION.match(stripped):
            # The comment stays as it is, after the switch Doxygen reads.
            which = SECTION.match(stripped).group(1)
            out.append(line[:indent] + "/** @" + which + "section */ " + stripped)
            continue
        if stripped.startswith("/*") and not stripped.startswith("/**") and not PLAIN.match(stripped):
            rest = stripped[2:]
            if not seen_file_comment and not indent:
                seen_file_comment = True
                # On a line of its own, @file would take the text as a file name.
                if "*/" in rest:
                    out.append("/**" + rest.replace("*/", "@file */", 1))
                else:
                    out.append("/** @file" + rest)
                in_comment = None if "*/" in rest else -1  # -1: no group after it
                continue
            out.append(line[:indent] + "/**" + rest)
            if "*/" in rest:
                group = Group(out, indent)
            else:
                in_comment = indent
            continue
        m = TRAILING.match(line)
        if m and not PLAIN.match("/*" + m.group(2)):
            out.append(m.group(1) + " /**<" + m.group(2) + "\n")
            continue
        out.append(line)
    if close_at is not None:
        out[close_at] = "/**@}*/ " + out[close_at]
    return out


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        sys.stdout.write("".join(convert(f.readlines())))
