"""`python -m bench [name ...]`: run the benchmarks under bench/<name>/run.py (each prints its
own table of ratios measured side by side in one run). Benchmarks run on PostgreSQL: set
DATABASE_URL (default postgres://postgres@127.0.0.1:5432/linli_bench)."""

import importlib
import os
import pkgutil
import sys


def main(argv: list[str]) -> int:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/linli_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings")
    import bench

    names = argv or sorted(
        info.name for info in pkgutil.iter_modules(bench.__path__) if info.ispkg
    )
    status = 0
    for name in names:
        try:
            module = importlib.import_module(f"bench.{name}.run")
        except ModuleNotFoundError as exc:
            print(f"bench {name}: no run module ({exc})")
            status = 1
            continue
        print(f"\n=== bench/{name} ===", flush=True)
        status |= module.main([]) or 0
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
