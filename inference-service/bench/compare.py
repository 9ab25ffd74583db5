#!/usr/bin/env python3
"""Two (or more) bench/run.sh runs side by side: every goal row and derived ratio of their bench.json.

   python3 inference-service/bench/compare.py DIR_BEFORE DIR_AFTER [...]
"""
import json
import os
import sys


def main(dirs):
    runs = [json.load(open(os.path.join(d, "bench.json"))) for d in dirs]
    print("| figure | " + " | ".join(os.path.basename(d.rstrip("/")) for d in dirs) + " |")
    print("|---|" + "---|" * len(dirs))
    print("| load average at start | " + " | ".join(r["run"].get("uptime", "").split("load average:")[-1].strip()
                                                     for r in runs) + " |")
    keys = []
    for r in runs:
        for k in r["derived"]:
            if k not in keys:
                keys.append(k)
    for k in keys:
        cells = []
        for r in runs:
            v = r["derived"].get(k)
            cells.append("" if v is None else f"{v:.3g}")
        print(f"| {k} | " + " | ".join(cells) + " |")
    names = []
    for r in runs:
        for name, p in r["phases"].items():
            if name not in names:
                names.append(name)
    for name in names:
        for field in ("p50Ms", "p99Ms", "delivered", "serviceSkips", "fpsSpread", "serviceCpuMsPerFrame", "maxRssMb"):
            cells = []
            for r in runs:
                v = r["phases"].get(name, {}).get(field)
                cells.append("" if v is None else (f"{v:.3g}" if isinstance(v, float) else str(v)))
            if any(cells):
                print(f"| {name} {field} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
