#!/usr/bin/env python3
"""Every module a target imports is one it declares in Package.swift (a target, or a
product whose module has the product's name), or one the toolchain ships. A transitive
dependency compiles, but hides an arrow DESIGN.md does not draw; this fails on it.

Usage: Tests/check-imports.py   (from the repository; runs `swift package dump-package`)
"""
import json, os, re, subprocess, sys

TOOLCHAIN = {"Foundation", "FoundationEssentials", "FoundationNetworking", "Glibc", "Musl", "Darwin", "Dispatch",
             "Testing", "XCTest", "Synchronization", "_Concurrency", "Swift"}

package = json.loads(subprocess.run(["swift", "package", "dump-package"], check=True, capture_output=True, text=True).stdout)
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pattern = re.compile(r"^\s*(?:@testable\s+|@_exported\s+|@preconcurrency\s+)*import\s+(?:(?:struct|class|enum|func|protocol|typealias|var|let)\s+)?([A-Za-z_][A-Za-z0-9_]*)", re.M)
failures = []
for target in package["targets"]:
    if target["type"] == "system" or target["type"] == "plugin":
        continue
    declared = set()
    for dep in target["dependencies"]:
        kind, value = next(iter(dep.items()))
        declared.add(value[0])
    path = target.get("path") or os.path.join("Tests" if target["type"] == "test" else "Sources", target["name"])
    for dirpath, _, files in os.walk(os.path.join(root, path)):
        for name in files:
            if not name.endswith(".swift"):
                continue
            file = os.path.join(dirpath, name)
            for module in pattern.findall(open(file, encoding="utf-8").read()):
                if module not in declared and module not in TOOLCHAIN and module != target["name"]:
                    failures.append(f"{os.path.relpath(file, root)}: imports {module}, which {target['name']} does not declare")
for f in failures:
    print(f, file=sys.stderr)
if failures:
    sys.exit(1)
print(f"imports: every target imports only what it declares ({len(package['targets'])} targets)")
