"""Puts the run together: the data generated, the page timings and floors (the SQL floor
and the framework floor, an empty page behind the same middleware, login and second
factor), the export and the load run, checked against the targets; prints the table and
writes bench/results.json."""

import json
import os
import platform
from pathlib import Path

RUN_DIR = Path(os.environ.get("BENCH_ROOT", Path(__file__).resolve().parent.parent / "var/bench"))
OUT = Path(__file__).resolve().parent / "results.json"

PAGE_P95_MS = 50
EXPORT_SECONDS = 10
EXPORT_RATIO = 3


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
    except OSError:
        mem_kb = 0
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        # Load average when the report was written (just after the load run): a figure
        # well above the bench's own share means other work shared the cores.
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
        "note": os.environ.get(
            "BENCH_MACHINE_NOTE", "shared machine: other jobs may have run at the same time"
        ),
    }


def read(name: str) -> dict | None:
    path = RUN_DIR / name
    return json.loads(path.read_text()) if path.exists() else None


def main() -> None:
    measured = read("measure.json") or {}
    generated = read("generate.json") or {}
    load = read("load.json")
    load_api = read("load-api.json")
    api = measured.get("api")
    pages = measured.get("pages", [])
    export = measured.get("export", {})
    targets = {
        "page_p95_ms": PAGE_P95_MS,
        "pages_over_p95": [p["page"] for p in pages if p["p95_ms"] > PAGE_P95_MS],
        "export_seconds": EXPORT_SECONDS,
        "export_within_seconds": export.get("seconds", 1e9) <= EXPORT_SECONDS,
        "export_ratio": EXPORT_RATIO,
        "export_within_ratio": export.get("ratio", 1e9) <= EXPORT_RATIO,
        "load_zero_errors": bool(load) and sum(load["errors"].values()) == 0,
        "api_load_zero_errors": bool(load_api) and sum(load_api["errors"].values()) == 0,
    }
    result = {
        "scale": float(os.environ.get("BENCH_SCALE", "1")),
        "machine": {**machine(), "postgresql": measured.get("postgresql")},
        "data": generated,
        "framework_floor": measured.get("framework_floor", []),
        "framework_floor_guard": measured.get("framework_floor_guard"),
        "pages": pages,
        "api": api,
        "export": export,
        "load": load,
        "load_api": load_api,
        "targets": targets,
        **{k: measured[k] for k in ("measured_at", "requests_per_page") if k in measured},
    }
    OUT.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")

    print()
    # ratio: page / SQL floor; x(fw+floor): page / (framework floor + SQL floor), the
    # yardstick (the framework floor is the empty page with the page's client and method).
    print(
        f"{'page':<38} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'floor p50':>10} "
        f"{'fw p50':>7} {'ratio p50':>10} {'ratio p95':>10} {'x(fw+floor) p50':>16} {'p95':>6}"
    )
    for f in measured.get("framework_floor", []):
        print(f"{f['page']:<38} {f['p50_ms']:>8.1f} {f['p95_ms']:>8.1f} {f['queries']:>8}")
    for p in pages:
        flag = "" if p["p95_ms"] <= PAGE_P95_MS else "  > 50 ms"
        # A measure.json from before the framework floor has no such figures.
        fw = p.get("framework_floor")
        fw_ratio = p.get("ratio_framework")
        fw_p50 = f"{fw['p50_ms']:.1f}" if fw else "-"
        fw_ratios = (
            f"{fw_ratio['p50']:>16.1f} {fw_ratio['p95']:>6.1f}"
            if fw_ratio
            else f"{'-':>16} {'-':>6}"
        )
        print(
            f"{p['page']:<38} {p['p50_ms']:>8.1f} {p['p95_ms']:>8.1f} {p['queries']:>8} "
            f"{p['floor']['p50_ms']:>10.2f} {fw_p50:>7} "
            f"{p['ratio']['p50']:>10.1f} {p['ratio']['p95']:>10.1f} {fw_ratios}{flag}"
        )
    if api:
        fw, floor, r = api["framework_floor"], api["floor"], api["ratio_framework"]
        print(
            f"{'API framework floor':<38} {fw['p50_ms']:>8.1f} {fw['p95_ms']:>8.1f} "
            f"{fw['queries']:>8}"
        )
        print(
            f"{'API: ' + api['request']:<38} {api['p50_ms']:>8.1f} {api['p95_ms']:>8.1f} "
            f"{api['queries']:>8} {floor['p50_ms']:>10.2f} {fw['p50_ms']:>7.1f} "
            f"{api['p50_ms'] / max(floor['p50_ms'], 0.01):>10.1f} "
            f"{api['p95_ms'] / max(floor['p95_ms'], 0.01):>10.1f} "
            f"{r['p50']:>16.1f} {r['p95']:>6.1f}"
        )
    if export:
        print(
            f"{'export_statistics ' + str(export['year']):<38} {export['seconds']:>7.2f}s "
            f"{'':>8} {export['queries']:>8} {export['floor_ms']:>8.1f}ms {export['ratio']:>10.1f}"
        )
    if load:
        lat = load["latency_ms"]
        print(
            f"\nLoad: {load['requests']:,} requests in {load['seconds']:.0f} s "
            f"({load['requests_per_second']:.1f}/s), 50 sessions; latency p50 {lat['p50']:.0f} ms, "
            f"p95 {lat['p95']:.0f} ms, p99 {lat['p99']:.0f} ms; errors {load['errors']}"
        )
    if load_api:
        lat = load_api["latency_ms"]
        print(
            f"API load: {load_api['requests']:,} submits in {load_api['seconds']:.0f} s "
            f"({load_api['requests_per_second']:.1f}/s), {load_api['connections']} connections; "
            f"latency p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms, p99 {lat['p99']:.0f} ms; "
            f"errors {load_api['errors']}"
        )
    print(f"\nPages over p95 {PAGE_P95_MS} ms: {', '.join(targets['pages_over_p95']) or 'none'}")
    print(
        f"Export within {EXPORT_SECONDS} s: {targets['export_within_seconds']}; "
        f"within {EXPORT_RATIO}x its floor: {targets['export_within_ratio']}"
    )
    print(f"Written to {OUT}")


if __name__ == "__main__":
    main()
