"""Writing the year's statistics as JSON, a CSV per table and an XLSX workbook (a sheet per
table, Danish headings), the research extract (also in HTCDS form), and, when
CMM_PUBLIC_MIN_COUNT is set, a public variant of the tables in which small counts are
shown as "<N" (docs/statistics-publishing.md). Files appear whole or not at all: each is
written beside its final name and moved into place."""

import csv
import io
import json
import os
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from openpyxl import Workbook

from stats.counting import assessed_in, statistics_for
from stats.research import HTCDS_FIELDS, QUASI_IDENTIFIERS, htcds_rows, research_extract

# Danish headings of the tables, in the annual report's order.
TABLE_TITLES = {
    "summary": "Nøgletal",
    "inquiries_by_channel": "Henvendelser om mulige ofre efter kanal",
    "hotline_calls_by_caller_type": "Opkald til hotlinen efter henvender",
    "assessed_by_authority": "Identificerede efter myndighed",
    "assessed_by_contact_actor": "Identificerede efter kontaktskabende aktør",
    "assessed_by_exploitation": "Identificerede efter udnyttelsesform",
    "assessed_sexual_by_kind": "Seksuel udnyttelse efter art",
    "assessed_forced_labour_by_industry": "Tvangsarbejde efter branche",
    "assessed_criminal_by_kinds": "Tvungen kriminalitet efter handlinger",
    "assessed_by_gender": "Identificerede efter køn",
    "assessed_by_nationality": "Identificerede efter nationalitet",
    "assessed_under_25_by_exploitation": "Under 25 år efter udnyttelsesform",
    "prepared_returns_by_destination": "Forberedte hjemsendelser efter destination",
    "status_at_year_end": "Status ved årets udgang",
    "police_reports_by_provision": "Politianmeldelser efter bestemmelse",
    "police_reports_not_filed_by_reason": "Ikke anmeldt efter årsag",
    "assessed_overview": "Identificerede efter nationalitet, køn, alder og udnyttelsesform",
}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula is neutralised (OWASP ASVS 1.2.10)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def tables(stats: dict[str, Any]) -> dict[str, list[tuple[str, Any]]]:
    """The figures as flat (code, count) tables."""
    a, p, r = stats["assessed"], stats["prepared_returns"], stats["police_reports"]
    found = {
        "summary": [
            ("inquiries", stats["inquiries"]["total"]),
            ("self_referrals", stats["inquiries"]["self_referrals"]),
            ("hotline_calls", stats["hotline_calls"]["total"]),
            ("persons_investigated", stats["persons_investigated"]),
            ("assessed", a["total"]),
            ("minors", a["minors"]),
            ("under_25", a["under_25"]),
            *((f"age_{k}", v) for k, v in a["age"].items()),
            ("nationalities", a["nationalities"]),
            ("prepared_returns", p["total"]),
            ("prepared_returns_assessed_in_year", p["assessed_in_year"]),
            ("prepared_returns_assessed_earlier", p["assessed_earlier"]),
            ("police_reports_filed", r["filed"]),
            ("police_reports_not_filed", r["not_filed"]),
            ("recurring_persons", stats["recurring_persons"]),
        ],
        "inquiries_by_channel": stats["inquiries"]["by_channel"],
        "hotline_calls_by_caller_type": stats["hotline_calls"]["by_caller_type"],
        "status_at_year_end": stats["status_at_year_end"],
        "prepared_returns_by_destination": p["by_destination"],
        "police_reports_by_provision": r["by_provision"],
        "police_reports_not_filed_by_reason": r["not_filed_by_reason"],
    }
    for key in (
        "by_authority",
        "by_contact_actor",
        "by_exploitation",
        "sexual_by_kind",
        "forced_labour_by_industry",
        "criminal_by_kinds",
        "by_gender",
        "by_nationality",
        "under_25_by_exploitation",
    ):
        found[f"assessed_{key}"] = a[key]
    found["assessed_overview"] = [
        (
            f"{row['nationality']}/{row['gender']}/{'minor' if row['minor'] else 'adult'}/"
            f"{row['exploitation']}",
            row["count"],
        )
        for row in a["overview"]
    ]
    return {
        name: list(rows.items()) if isinstance(rows, dict) else rows for name, rows in found.items()
    }


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


INTERNAL_NOTE = "Intern udgave"
PUBLIC_NOTE = "Offentlig udgave: tal under {n} vises som <{n}"
# A cell held back in the public variant so that a small one cannot be worked out from the
# table's exact total (or a figure that describes one person, such as the youngest's age).
WITHHELD = "x"

# The summary's totals: they stay exact in the public variant. Everything else in the
# summary that counts persons is a small cell; the youngest's and the oldest's ages each
# describe one person and are withheld; the mean age is withheld when fewer than N persons
# were assessed. "nationalities" counts countries, not persons, and stays exact.
SUMMARY_TOTALS = {
    "inquiries",
    "hotline_calls",
    "persons_investigated",
    "assessed",
    "prepared_returns",
    "nationalities",
}
SUMMARY_ONE_PERSON = {"age_min", "age_max"}
# Summary rows that add up to a total shown exactly beside them.
SUMMARY_PARTS = [("prepared_returns_assessed_in_year", "prepared_returns_assessed_earlier")]


def _small(n: int) -> str:
    return f"<{n}"


def _exposed(raw: list[int], shown: list[Any], n: int) -> bool:
    """Whether the cells held back in a table whose total is known could be worked out:
    one alone is the total less the rest; several "<N" cells are pinned when they can only
    be all 1 (or all N-1). A held-back "x" cell is known to be at least N."""
    small = [r for r, v in zip(raw, shown, strict=True) if v == _small(n)]
    withheld = [r for r, v in zip(raw, shown, strict=True) if v in (_small(n), WITHHELD)]
    if not withheld:
        return False
    if len(withheld) == 1:
        return True
    if not small or n <= 2:
        # "<2" says 1 whatever else is held back: nothing more to protect.
        return False
    total, others = sum(withheld), len(withheld) - len(small)
    highest = min(n - 1, total - n * others - (len(small) - 1))
    lowest = 1 if others else max(1, total - (n - 1) * (len(small) - 1))
    return highest <= lowest


def _complement(raw: list[int], shown: list[Any], n: int) -> list[Any]:
    """Hold back the smallest shown cells until the held-back ones cannot be worked out."""
    shown = list(shown)
    while _exposed(raw, shown, n):
        open_cells = [i for i, v in enumerate(shown) if v == raw[i]]
        if not open_cells:
            break
        shown[min(open_cells, key=lambda i: raw[i])] = WITHHELD
    return shown


def protect(found: dict[str, list[tuple[str, Any]]], n: int) -> dict[str, list[tuple[str, Any]]]:
    """The public variant of `tables()`: every count under `n` is "<n", totals stay exact,
    and cells that would give a small one away are withheld ("x"). Zeros stay zeros (there
    is no one to protect) and codes with zero stay out, as in the internal tables; a row's
    presence therefore says "at least one", so "<n" means 1 to n-1. `n` 0 changes nothing."""
    if n <= 0:
        return {name: list(rows) for name, rows in found.items()}
    result = {}
    for name, rows in found.items():
        codes = [code for code, _count in rows]
        raw = [count for _code, count in rows]
        if name == "summary":
            shown = [_summary_cell(code, count, dict(rows), n) for code, count in rows]
            for parts in SUMMARY_PARTS:
                at = [codes.index(p) for p in parts if p in codes]
                part = _complement([raw[i] for i in at], [shown[i] for i in at], n)
                for i, value in zip(at, part, strict=True):
                    shown[i] = value
        else:
            shown = [_small(n) if 0 < count < n else count for count in raw]
            shown = _complement(raw, shown, n)
        result[name] = list(zip(codes, shown, strict=True))
    return result


def _summary_cell(code: str, count: Any, summary: dict[str, Any], n: int) -> Any:
    if code in SUMMARY_TOTALS:
        return count
    if code in SUMMARY_ONE_PERSON:
        return WITHHELD
    if code == "age_mean":
        return count if summary.get("assessed", 0) >= n else WITHHELD
    return _small(n) if isinstance(count, int) and 0 < count < n else count


def _csv(rows: list[tuple[str, Any]], note: str | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if note:
        writer.writerow([note])
    writer.writerow(["Kode", "Antal"])
    writer.writerows([safe_cell(c) for c in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def _workbook(found: dict[str, list[tuple[str, Any]]], note: str) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.title = note
    for name, rows in found.items():
        title = TABLE_TITLES.get(name, name.replace("_", " ").capitalize())
        sheet = workbook.create_sheet(name[:31])
        # The title row says which variant the workbook is; the figures start on row 3.
        sheet.append([title, note])
        sheet.append(["Kode", "Antal"])
        for row in rows:
            sheet.append([safe_cell(c) for c in row])
    xlsx = io.BytesIO()
    workbook.save(xlsx)
    return xlsx.getvalue()


def _write(path: Path, data: bytes, written: list[Path]) -> None:
    _write_atomically(path, data)
    written.append(path)


def _public_document(year: int, public: dict[str, list[tuple[str, Any]]], n: int) -> dict:
    return {
        "year": year,
        "variant": "public",
        "note": PUBLIC_NOTE.format(n=n),
        "min_count": n,
        "tables": {name: [list(row) for row in rows] for name, rows in public.items()},
    }


def published(year: int) -> dict[str, Any]:
    """The year's figures as published: the public variant's JSON when CMM_PUBLIC_MIN_COUNT
    is set, else the exact figures of statistics-YEAR.json. Aggregates only."""
    stats = statistics_for(year, assessed_in(year))
    n = settings.CMM_PUBLIC_MIN_COUNT
    if n > 0:
        return _public_document(year, protect(tables(stats), n), n)
    return stats


def export_year(year: int, directory: Path) -> list[Path]:
    """Write into `directory` statistics-YEAR.json, .xlsx and a CSV per table (the internal,
    exact figures), research-YEAR.csv with its report and research-YEAR-htcds.csv, and
    with CMM_PUBLIC_MIN_COUNT set the public variant statistics-YEAR-public.json, .xlsx and
    statistics-YEAR-public-TABLE.csv."""
    # The year's assessed persons feed both the tables and the research extract.
    people = assessed_in(year)
    stats = statistics_for(year, people)
    written: list[Path] = []
    json_path = directory / f"statistics-{year}.json"
    _write(json_path, json.dumps(stats, indent=2, ensure_ascii=False).encode(), written)
    found = tables(stats)
    for name, rows in found.items():
        _write(directory / f"statistics-{year}-{name}.csv", _csv(rows), written)

    extract = research_extract(year, people=people)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["key", *QUASI_IDENTIFIERS])
    writer.writeheader()
    writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in extract.rows)
    _write(directory / f"research-{year}.csv", buffer.getvalue().encode("utf-8"), written)
    _write(
        directory / f"research-{year}-report.json",
        json.dumps(extract.report, indent=2).encode(),
        written,
    )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HTCDS_FIELDS)
    writer.writeheader()
    writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in htcds_rows(extract))
    _write(directory / f"research-{year}-htcds.csv", buffer.getvalue().encode("utf-8"), written)

    _write(directory / f"statistics-{year}.xlsx", _workbook(found, INTERNAL_NOTE), written)

    n = settings.CMM_PUBLIC_MIN_COUNT
    if n > 0:
        # Off (0), no public variant is written: a file called public must never hold
        # figures nobody decided could be published.
        public = protect(found, n)
        note = PUBLIC_NOTE.format(n=n)
        document = _public_document(year, public, n)
        _write(
            directory / f"statistics-{year}-public.json",
            json.dumps(document, indent=2, ensure_ascii=False).encode(),
            written,
        )
        for name, rows in public.items():
            _write(directory / f"statistics-{year}-public-{name}.csv", _csv(rows, note), written)
        _write(directory / f"statistics-{year}-public.xlsx", _workbook(public, note), written)
    return written


KEEP_NIGHTS = 30


def nightly_export(directory: Path, today: date) -> Path:
    """Export this year and last year into DIRECTORY/YYYY-MM-DD, whole or not at all, and
    keep the last 30 nights. Running it again the same night replaces that night's export."""
    directory.mkdir(parents=True, exist_ok=True)
    final = directory / today.isoformat()
    work = Path(tempfile.mkdtemp(dir=directory, prefix=f".{today.isoformat()}."))
    try:
        for year in (today.year, today.year - 1):
            export_year(year, work)
        if final.exists():
            old = final.with_name(f".{final.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(final, old)
            os.replace(work, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    nights = sorted(p for p in directory.iterdir() if p.is_dir() and _is_night(p.name))
    for stale in nights[:-KEEP_NIGHTS]:
        shutil.rmtree(stale)
    return final


def _is_night(name: str) -> bool:
    try:
        date.fromisoformat(name)
    except ValueError:
        return False
    return True
