"""The statistics pages: every table of a year with its charts, and the downloads."""

import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Min
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Assessment
from cmm.audit import services as audit
from stats import exports
from stats.counting import statistics_for
from stats.labels import label


def _statistics_years() -> list[int]:
    this_year = timezone.localdate().year
    first = Assessment.objects.aggregate(first=Min("decided_on"))["first"]
    return list(range(this_year, (first.year if first else this_year) - 1, -1))


def statistics_page(request: HttpRequest) -> HttpResponse:
    """Every table for a year, with bar charts like the annual report's. Aggregates only:
    no person is named or linked anywhere on it."""
    if not request.user.has_perm("cases.view_statistics"):
        raise PermissionDenied
    years = _statistics_years()
    year = int(request.GET["year"]) if request.GET.get("year", "").isdigit() else years[0]
    stats = statistics_for(year)
    tables = exports.tables(stats)
    charts = []
    for name in ("assessed_by_exploitation", "assessed_by_gender", "assessed_by_nationality"):
        rows = sorted(tables[name], key=lambda r: -r[1])
        top = max((n for _c, n in rows), default=0) or 1
        charts.append(
            (
                exports.TABLE_TITLES[name],
                [(label(name, c), n, round(100 * n / top)) for c, n in rows],
            )
        )
    series = stats["time_series"]["by_exploitation"]
    series_rows = [(y, sum(v.values())) for y, v in series.items()]
    top = max((n for _y, n in series_rows), default=0) or 1
    charts.append(
        (
            _("Assessed as trafficked over the years"),
            [(y, n, round(100 * n / top)) for y, n in series_rows],
        )
    )
    return render(
        request,
        "stats/statistics.html",
        {
            "year": year,
            "years": years,
            "stats": stats,
            "tables": [
                (exports.TABLE_TITLES.get(n, n), n, [(c, label(n, c), k) for c, k in rows])
                for n, rows in tables.items()
            ],
            "decision_times": [
                (label(f"process_times_{group}", code), spread)
                for group in ("by_authority", "by_gender")
                for code, spread in stats["process_times"]["first_interview_to_decision"][
                    group
                ].items()
            ],
            "charts": charts,
            # The page shows the internal, exact figures; the public variant is offered
            # for download when CMM_PUBLIC_MIN_COUNT is set.
            "public_min_count": settings.CMM_PUBLIC_MIN_COUNT,
        },
    )


def _download_name(year: int, fmt: str) -> str | None:
    """The file of the year's export that `fmt` names, or None."""
    if fmt in ("json", "xlsx"):
        return f"statistics-{year}.{fmt}"
    if fmt == "research":
        return f"research-{year}.csv"
    if fmt == "htcds":
        return f"research-{year}-htcds.csv"
    if fmt in ("public-json", "public-xlsx"):
        return f"statistics-{year}-public.{fmt[7:]}"
    if fmt.startswith("public-csv-") and fmt[11:] in exports.TABLE_TITLES:
        return f"statistics-{year}-public-{fmt[11:]}.csv"
    if fmt.startswith("csv-") and fmt[4:] in exports.TABLE_TITLES:
        return f"statistics-{year}-{fmt[4:]}.csv"
    return None


def statistics_download(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    """The year's export as JSON or XLSX (or one table as CSV), internal or public, or the
    research extract (also in HTCDS form); every download is audited. The public variant
    is there only when CMM_PUBLIC_MIN_COUNT is set."""
    if not request.user.has_perm("cases.view_statistics"):
        raise PermissionDenied
    name = _download_name(year, fmt)
    if name is None:
        raise Http404
    with tempfile.TemporaryDirectory() as folder:
        exports.export_year(year, Path(folder))
        path = Path(folder) / name
        if not path.exists():
            raise Http404
        data = path.read_bytes()
    audit.record_download(request.user, name)
    response = HttpResponse(data, content_type=DOWNLOAD_TYPES.get(name.rsplit(".", 1)[1]))
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


DOWNLOAD_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
