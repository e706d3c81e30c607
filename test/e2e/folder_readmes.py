#!/usr/bin/env python3
"""Every source folder's README stays true: it exists, names every file in
the folder, and its "May include:" line lists exactly the -I paths the
Makefile compiles that folder with (INC.<folder>).

usage: test/e2e/folder_readmes.py [TOP]"""
import os
import re
import sys

TOP = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                      os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SOURCE_ROOTS = ("dissect", "analyzer", "rules")
FOLDER_PATTERN = re.compile(r"`((?:dissect|analyzer|rules)/[a-z_]+)`")


def makefile_includes():
    """INC.<folder> := ... with $(VAR) references expanded."""
    text = open(os.path.join(TOP, "Makefile")).read().replace("\\\n", " ")
    variables = {}
    for name, value in re.findall(r"^([A-Za-z_.\/]+)\s*:=\s*(.*)$", text, re.M):
        variables[name] = value.strip()

    def expand(value, depth=0):
        if depth > 10:
            raise ValueError("Makefile variables nest too deep")
        return re.sub(r"\$\(([^)]+)\)", lambda m: expand(variables.get(m.group(1), ""), depth + 1), value)

    return {name[4:]: set(expand(value).split()) for name, value in variables.items()
            if name.startswith("INC.")}


def may_include(readme_text):
    """The folders named on the "May include:" line (up to the blank line
    after it); "every `dissect/` folder" stands for all of them."""
    m = re.search(r"^May include:(.*?)(?:\n\n|\Z)", readme_text, re.M | re.S)
    if not m:
        return None
    line = " ".join(m.group(1).split())
    named = set(FOLDER_PATTERN.findall(line))
    if "every `dissect/` folder" in line:
        named |= {"dissect/" + d for d in os.listdir(os.path.join(TOP, "dissect"))
                  if os.path.isdir(os.path.join(TOP, "dissect", d))}
    if re.search(r"\bnothing\b", line) and not named:
        return set()
    return named


def main():
    includes = makefile_includes()
    problems, checked = [], 0
    for root in SOURCE_ROOTS:
        for folder in sorted(os.listdir(os.path.join(TOP, root))):
            path = os.path.join(TOP, root, folder)
            if not os.path.isdir(path):
                continue
            rel = f"{root}/{folder}"
            files = sorted(f for f in os.listdir(path) if f != "README.md" and not f.startswith("."))
            readme = os.path.join(path, "README.md")
            checked += 1
            if not os.path.exists(readme):
                problems.append(f"{rel}: no README.md")
                continue
            text = open(readme).read()
            for f in files:
                if f"`{f}`" not in text:
                    problems.append(f"{rel}/README.md does not name {f}")
            named = may_include(text)
            if named is None:
                problems.append(f"{rel}/README.md has no 'May include:' line")
                continue
            wanted = includes.get(rel)
            if wanted is None:
                if named:
                    problems.append(f"{rel}: README says it may include {sorted(named)}, the Makefile builds no code there")
                continue
            if named != wanted:
                problems.append(f"{rel}: README may include {sorted(named)}, Makefile INC.{rel} is {sorted(wanted)}")
    for p in problems:
        print("FAIL " + p)
    print(f"folder READMEs: {checked - len({p.split(':')[0].split('/README')[0] for p in problems})} passed, "
          f"{len({p.split(':')[0].split('/README')[0] for p in problems})} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
