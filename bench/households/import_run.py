"""Import timing: 20,000 persons from one CSV through the real pipeline (households.services.imports:
check row by row, then the all-or-nothing apply), into community A of the benchmark data; rolled back
at the end so the data set stays as generated.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hh_bench .venv/bin/python -m bench.households.import_run [--rows N]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
import time


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.households.import_run")
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    from bench.households.run import _django

    _django(False)
    from django.core.files.base import ContentFile
    from django.db import transaction

    from governance import pii
    from governance.models import User
    from governance.seed import seed as seed_world
    from households.models import ImportJob, Person, Unit
    from households.services import imports

    seed_world()
    zhao = User.objects.get(username="zhao_community")
    community = zhao.active_assignments[0].region
    units = list(Unit.objects.filter(region_path__startswith=community.path).select_related("building")[:2000])
    if not units:
        sys.exit("no units in community A: run `python -m bench.households` first to generate the data")
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow(["姓名", "证件号码", "电话", "地址", "楼号", "单元", "门牌号", "户号", "与户主关系"])
    for i in range(args.rows):
        u = units[i % len(units)]
        birth = dt.date(1950 + i % 60, i % 12 + 1, i % 28 + 1)
        body = f"{130000 + i // 21000:06d}{birth:%Y%m%d}{i % 1000:03d}"  # an area code the generator never uses
        out.writerow([f"导入{i}", body + pii.gb11643_check_char(body), f"139{i:08d}", u.building.address,
                      u.building.name, u.entrance, u.number, f"IMP{i // 4}", "户主" if i % 4 == 0 else "家属"])
    with transaction.atomic():
        job = ImportJob.objects.create(file=ContentFile(buf.getvalue().encode(), name="bench.csv"),
                                       original_name="bench.csv", region=community, region_path=community.path,
                                       created_by=zhao)
        before = Person.objects.count()
        t = time.perf_counter()
        imports.check(job)
        job.refresh_from_db()
        checked = time.perf_counter() - t
        t = time.perf_counter()
        imports.apply(job, actor=zhao)
        applied = time.perf_counter() - t
        added = Person.objects.count() - before
        transaction.set_rollback(True)
    print(f"import of {args.rows} rows: check {checked:.1f} s ({job.summary}), apply {applied:.1f} s, "
          f"{added} persons added (rolled back)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
