"""Cross-app imports and GraphQL leaks in a backend/ tree, from grimp's import graph (what import-linter reads).

Usage: python scripts/count_cross_app_imports.py [backend_dir] [-v]
Counts module -> module imports whose packages differ (booking_graph, catalog, bookings, voice;
migrations left out), with and without `if TYPE_CHECKING:` imports; those against the app order
(catalog < bookings < voice: a lower app importing a higher one); and the domain modules (models,
services, selectors, admin, tasks, errors, ...) from which an import chain reaches a GraphQL library.
Works on any checkout, e.g. an old commit: git archive <commit> backend | tar -x -C /tmp/old
"""
import sys
from pathlib import Path

import grimp

PACKAGES = ("booking_graph", "catalog", "bookings", "voice")
ORDER = {"catalog": 1, "bookings": 2, "voice": 3}
GRAPHQL = ("strawberry", "strawberry_django", "graphql")
DOMAIN_NAMES = {"models", "services", "selectors", "admin", "tasks", "errors", "domain", "signals", "audio", "live", "worker"}
API_PARTS = {"graphql", "types", "queries", "mutations", "inputs"}


def app(module: str) -> str:
    return module.split(".")[0]


def cross_app(graph: grimp.ImportGraph) -> set[tuple[str, str]]:
    return {
        (importer, imported)
        for importer in graph.modules if ".migrations" not in importer and app(importer) in PACKAGES
        for imported in graph.find_modules_directly_imported_by(importer)
        if app(imported) in PACKAGES and app(imported) != app(importer) and ".migrations" not in imported
    }


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "-v"]
    sys.path.insert(0, str(Path(args[0] if args else "backend").resolve()))
    for label, exclude_type_checking in (("all imports", False), ("at run time", True)):
        graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=exclude_type_checking, cache_dir=None)
        edges = cross_app(graph)
        against = sorted((s, t) for s, t in edges if 0 < ORDER.get(app(s), 0) < ORDER.get(app(t), 0))
        print(f"{label}: cross-app module imports {len(edges)}; against the app order {len(against)} {against}")
        if "-v" in sys.argv:
            print("\n".join(f"  {s} -> {t}" for s, t in sorted(edges)))
    graph = grimp.build_graph(*PACKAGES, include_external_packages=True, exclude_type_checking_imports=True, cache_dir=None)
    domain = sorted(
        m for m in graph.modules
        if app(m) in PACKAGES and ".migrations" not in m and m.split(".")[-1] in DOMAIN_NAMES
        and not API_PARTS & set(m.split(".")[1:])
    )
    leaky = [m for m in domain if any(lib in graph.modules and graph.chain_exists(importer=m, imported=lib) for lib in GRAPHQL)]
    print(f"domain modules: {len(domain)}; from which a chain reaches strawberry/graphql: {len(leaky)} {leaky}")


main()
