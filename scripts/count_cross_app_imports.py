"""Count imports from one first-party package into another under backend/ (migrations excluded).

Usage: python scripts/count_cross_app_imports.py [backend_dir] [-v]
An edge is (importing module -> imported module), counted once however many names it imports.
Reported: all edges; those that run (not under `if TYPE_CHECKING:`); of those, the ones against
the app order (catalog < bookings < voice: a lower app importing a higher one).
"""
import ast
import sys
from pathlib import Path

APPS = {"booking_graph", "catalog", "bookings", "voice"}
ORDER = {"catalog": 1, "bookings": 2, "voice": 3}


def type_checking_lines(tree: ast.AST) -> set[int]:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, child.end_lineno + 1))
    return lines


def edges(root: Path) -> dict[tuple[str, str], bool]:
    """(importer, imported) -> True when at least one such import runs (is not TYPE_CHECKING-only)."""
    found: dict[tuple[str, str], bool] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if "migrations" in rel.parts or rel.parts[0] not in APPS:
            continue
        module = ".".join(rel.with_suffix("").parts).removesuffix(".__init__")
        tree = ast.parse(path.read_text())
        typing_only = type_checking_lines(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [node.module]
            else:
                continue
            for target in targets:
                if target.split(".")[0] in APPS and target.split(".")[0] != rel.parts[0]:
                    key = (module, target)
                    found[key] = found.get(key, False) or node.lineno not in typing_only
    return found


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "-v"]
    found = edges(Path(args[0] if args else "backend"))
    runtime = [edge for edge, runs in found.items() if runs]
    against = [(s, t) for s, t in runtime if ORDER.get(s.split(".")[0], 0) and
               ORDER.get(s.split(".")[0], 0) < ORDER.get(t.split(".")[0], 0)]
    if "-v" in sys.argv:
        for source, target in sorted(found):
            flag = "" if found[(source, target)] else "  (TYPE_CHECKING only)"
            print(f"{source} -> {target}{flag}{'  AGAINST ORDER' if (source, target) in against else ''}")
    print(f"cross-app import edges: {len(found)}; at run time: {len(runtime)}; "
          f"at run time against the app order: {len(against)} {sorted(against)}")


main()
