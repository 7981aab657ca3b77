"""The django-import-export door onto the one import pipeline (households.services.imports): the
admin's upload → preview → confirm runs the same row checks and the same all-or-nothing apply as
the API, through an ImportJob (so provenance says "job <id>" whichever door was used)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from import_export import resources
from import_export.results import Result, RowResult

from governance import access, pii
from governance.errors import DomainError, Forbidden
from households.models import ImportJob, Person
from households.services import imports


def _import_region(user):
    """The region the user imports into: their first assignment with the import right."""
    found = access.covering_assignments(user, model=Person, action="import")
    if not found:
        raise Forbidden()
    return found[0].region


class PersonImportResource(resources.ModelResource):
    class Meta:
        model = Person
        fields = ("name",)  # columns are read by the pipeline (imports.HEADERS), not mapped onto fields

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None,
                    collect_failed_rows=False, rollback_on_validation_errors=False, **kwargs) -> Result:
        user = kwargs["user"]
        region = _import_region(user)
        result = Result()
        headers = list(dataset.headers or [])
        result.diff_headers = headers
        result.total_rows = len(dataset)
        content = dataset.export("csv").encode("utf-8")
        job = ImportJob.objects.create(file=ContentFile(content, name="admin-import.csv"),
                                       original_name=kwargs.get("file_name") or "admin-import.csv", region=region,
                                       region_path=region.path, created_by=user)
        try:
            plan = imports.check(job)
        except DomainError as exc:
            result.append_base_error(_BaseError(str(exc)))
            return result
        job.refresh_from_db()
        if job.errors:
            by_row: dict[int, dict[str, list[str]]] = {}
            for e in job.errors:
                by_row.setdefault(e["row"] or 0, {}).setdefault(e["field"] or "__all__", []).append(e["message"])
            for number, fields in sorted(by_row.items()):
                values = dict(zip(headers, dataset[number - 2], strict=False)) if number >= 2 else {}
                result.append_invalid_row(number - 1, values, ValidationError(fields))
                result.totals[RowResult.IMPORT_TYPE_INVALID] += 1
            return result
        ready = imports.ready_plan(plan)
        on_file = set(Person.objects.filter(id_number_hash__in=[pii.blind_index(i.number, "id")
                                                               for _r, _t, i, _u in ready])
                      .values_list("id_number_hash", flat=True))
        for i, (row, _id_type, info, _unit) in enumerate(ready):
            rr = RowResult()
            rr.import_type = (RowResult.IMPORT_TYPE_UPDATE if pii.blind_index(info.number, "id") in on_file
                              else RowResult.IMPORT_TYPE_NEW)
            rr.diff = [pii.mask_id(v) if h in ("证件号码", "身份证号", "id_number") else v
                       for h, v in zip(headers, dataset[i], strict=False)]
            rr.object_repr = row.get("name", "")
            result.append_row_result(rr)
            result.increment_row_result_total(rr)
        if not dry_run:
            imports.apply(job, actor=user)
        return result


class _BaseError:
    def __init__(self, message):
        self.error = message
        self.traceback = ""
        self.row = None
