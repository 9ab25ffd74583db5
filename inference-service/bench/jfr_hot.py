#!/usr/bin/env python3
"""Hottest methods of a JFR recording, by thread group: reads `jfr print --json` of jdk.ExecutionSample and
jdk.NativeMethodSample events and prints JSON (bench/run.sh --jfr writes it to jfr-hot.json).

   jfr print --json --stack-depth 4 --events jdk.ExecutionSample,jdk.NativeMethodSample rec.jfr > s.json
   python3 inference-service/bench/jfr_hot.py s.json

ExecutionSample = a thread running Java code (CPU); NativeMethodSample = a thread inside a native method, which
may be computing (ONNX Runtime, OpenCV) or blocked (epoll, futex): kept apart, never added to the CPU samples.
"""
import collections
import json
import re
import sys


def frame_name(f):
    m = f.get("method", {})
    return f"{m.get('type', {}).get('name', '?')}.{m.get('name', '?')}"


def group(thread):
    # "executor-thread-3", "vert.x-eventloop-thread-0", "kafka-producer-network-thread | producer-1" -> no numbers
    return re.sub(r"\d+", "N", thread or "?")


def main(path):
    events = json.load(open(path))["recording"]["events"]
    out = {}
    for kind in ("jdk.ExecutionSample", "jdk.NativeMethodSample"):
        by_group = collections.Counter()
        by_method = collections.Counter()
        by_group_method = collections.defaultdict(collections.Counter)
        for e in events:
            if e["type"] != kind:
                continue
            v = e["values"]
            t = v.get("sampledThread") or {}
            g = group(t.get("javaName") or t.get("osName"))
            frames = (v.get("stackTrace") or {}).get("frames") or []
            top = frame_name(frames[0]) if frames else "?"
            by_group[g] += 1
            by_method[top] += 1
            by_group_method[g][top] += 1
        total = sum(by_group.values())
        out[kind] = {
            "samples": total,
            "threadGroups": [{"group": g, "samples": n, "share": n / total if total else 0,
                              "top": [{"method": m, "samples": c} for m, c in by_group_method[g].most_common(8)]}
                             for g, n in by_group.most_common(15)],
            "topMethods": [{"method": m, "samples": n, "share": n / total if total else 0}
                           for m, n in by_method.most_common(30)],
        }
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
