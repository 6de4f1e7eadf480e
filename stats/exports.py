"""Writing the year's statistics as JSON, a CSV per table and an XLSX workbook (a sheet per
table, Danish headings). Files appear whole or not at all: each is written beside its
final name and moved into place."""

import csv
import io
import json
import os
import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from stats.counting import assessed_in, statistics_for
from stats.research import QUASI_IDENTIFIERS, research_extract

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


def export_year(year: int, directory: Path) -> list[Path]:
    """Write statistics-YEAR.json, .xlsx and a CSV per table into `directory`."""
    # The year's assessed persons feed both the tables and the research extract.
    people = assessed_in(year)
    stats = statistics_for(year, people)
    written = []
    json_path = directory / f"statistics-{year}.json"
    _write_atomically(json_path, json.dumps(stats, indent=2, ensure_ascii=False).encode())
    written.append(json_path)

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, rows in tables(stats).items():
        title = TABLE_TITLES.get(name, name.replace("_", " ").capitalize())
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["Kode", "Antal"])
        writer.writerows([safe_cell(c) for c in row] for row in rows)
        csv_path = directory / f"statistics-{year}-{name}.csv"
        _write_atomically(csv_path, buffer.getvalue().encode("utf-8"))
        written.append(csv_path)
        sheet = workbook.create_sheet(name[:31])
        sheet.append([title])
        sheet.append(["Kode", "Antal"])
        for row in rows:
            sheet.append([safe_cell(c) for c in row])
    extract = research_extract(year, people=people)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["key", *QUASI_IDENTIFIERS])
    writer.writeheader()
    writer.writerows({k: safe_cell(v) for k, v in row.items()} for row in extract.rows)
    research_path = directory / f"research-{year}.csv"
    _write_atomically(research_path, buffer.getvalue().encode("utf-8"))
    report_path = directory / f"research-{year}-report.json"
    _write_atomically(report_path, json.dumps(extract.report, indent=2).encode())
    written += [research_path, report_path]

    xlsx = io.BytesIO()
    workbook.save(xlsx)
    xlsx_path = directory / f"statistics-{year}.xlsx"
    _write_atomically(xlsx_path, xlsx.getvalue())
    written.append(xlsx_path)
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
