#!/usr/bin/env python3
"""The issue #10 table from one bench/run.sh output folder: prints it, writes bench.md and bench.json.

   python3 inference-service/bench/report.py DIR
"""
import collections
import json
import os
import re
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def stage_totals(path):
    """{stage: (seconds, count)} summed over model versions from a Prometheus scrape of the service."""
    totals = collections.defaultdict(lambda: [0.0, 0.0])
    if not os.path.exists(path):
        return totals
    for line in open(path):
        m = re.match(r'endostream_stage_seconds_(sum|count)\{([^}]*)\}\s+(\S+)', line)
        if not m:
            continue
        stage = re.search(r'stage="([^"]+)"', m.group(2))
        if stage:
            totals[stage.group(1)][0 if m.group(1) == "sum" else 1] += float(m.group(3))
    return totals


def thread_ticks(path):
    """{thread group: CPU ticks} from a snapshot of /proc/PID/task/*: numbers in names folded ("codec-2" -> "codec-N")."""
    groups = collections.Counter()
    if not os.path.exists(path):
        return groups
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        if len(f) == 3 and f[2].isdigit():
            groups[(f[1], f[0])] = int(f[2])
    return groups


def machine(path):
    """(busy jiffies, total jiffies, broker ticks) from a snapshot of /proc/stat's cpu line and the broker's ticks."""
    if not os.path.exists(path):
        return None
    lines = open(path).read().split("\n")
    f = [int(x) for x in lines[0].split()[1:]]
    idle = f[3] + (f[4] if len(f) > 4 else 0)  # idle + iowait
    broker = int(lines[1].split()[1]) if len(lines) > 1 and lines[1].startswith("broker ") else 0
    return sum(f[:8]) - idle, sum(f[:8]), broker


def breakdown(out, name, frames):
    """Mean ms per frame in each stage, and CPU ms per frame by thread group, between two snapshots of a phase."""
    snap = os.path.join(out, "snap")
    b, a = stage_totals(os.path.join(snap, f"{name}-before.metrics")), stage_totals(os.path.join(snap, f"{name}-after.metrics"))
    stages = {}
    for st, (sec, cnt) in a.items():
        dsec, dcnt = sec - b[st][0], cnt - b[st][1]
        if dcnt > 0:
            stages[st] = {"meanMs": dsec * 1000 / dcnt, "count": dcnt}
    tb, ta = thread_ticks(os.path.join(snap, f"{name}-before.threads")), thread_ticks(os.path.join(snap, f"{name}-after.threads"))
    threads = collections.Counter()
    for (comm, tid), t in ta.items():
        threads[re.sub(r"\d+", "N", comm)] += t - tb.get((comm, tid), 0)
    cpu = {g: ticks * 10.0 / frames for g, ticks in threads.most_common() if ticks > 0} if frames else {}
    result = {"stagesMeanMs": stages, "threadCpuMsPerFrame": cpu} if stages or cpu else None
    mb, ma = machine(os.path.join(snap, f"{name}-before.machine")), machine(os.path.join(snap, f"{name}-after.machine"))
    if result and mb and ma and ma[1] > mb[1]:
        total = ma[1] - mb[1]  # jiffies of all cores over the phase
        result["machineBusyShare"] = (ma[0] - mb[0]) / total
        result["brokerShare"] = (ma[2] - mb[2]) / total
        result["serviceShare"] = sum(threads.values()) / total
    return result


def main(out):
    run = {}
    for line in open(os.path.join(out, "run.txt")):
        k, _, v = line.rstrip("\n").partition(" ")
        run[k] = v
    cores = int(run.get("cores", "2"))
    parts = {s: load(os.path.join(out, f"parts-{s}.json")) for s in ("720x576", "1920x1080")}
    drains = {s: load(os.path.join(out, f"drain-{s}.json")) for s in ("720x576", "1920x1080")
              if os.path.exists(os.path.join(out, f"drain-{s}.json"))}
    ort = parts["720x576"]  # the model's input size does not depend on the frame size
    ort1, ortn = ort["ortBatch1"], ort.get("ortMaxBatch", ort["ortBatch1"])

    rss = []
    for line in open(os.path.join(out, "rss.tsv")):
        f = line.split()
        if len(f) == 2 and f[1].isdigit():
            rss.append((float(f[0]), int(f[1]) / 1024.0))

    phases = {}
    for i, line in enumerate(open(os.path.join(out, "phases.tsv"))):
        if i == 0:
            continue
        name, t0, t1, c0, c1, masks = (line.rstrip("\n").split("\t") + [""] * 6)[:6]
        p = {"start": float(t0), "end": float(t1), "cpuSeconds": (int(c1) - int(c0)) / 100.0}
        in_phase = [r for t, r in rss if float(t0) <= t <= float(t1)]
        p["maxRssMb"] = max(in_phase) if in_phase else None
        p["lastRssMb"] = in_phase[-1] if in_phase else None
        if masks:
            lg = load(os.path.join(out, masks))["phases"][-1]  # "cold" runs the relay first to warm the client
            p.update({k: lg.get(k) for k in ("target", "streams", "fps", "sent", "delivered", "deadLetters",
                                             "unanswered", "serviceSkips", "deliveredFps")})
            # Jackson writes NaN (no latency sample) as the string "NaN"
            p.update({k: float(lg.get(k, "NaN")) for k in ("p50Ms", "p99Ms", "p999Ms", "maxMs")})
            p["timeline"] = lg.get("timeline", [])
            fps = [s["deliveredFps"] for s in lg["perStream"]]
            mean = sum(fps) / len(fps) if fps else 0
            p["perStreamFps"] = fps
            p["fpsSpread"] = max(abs(x - mean) / mean for x in fps) if mean > 0 else None
            if p["target"] == "service" and p["delivered"]:
                p["serviceCpuMsPerFrame"] = p["cpuSeconds"] * 1000 / p["delivered"]
        phases[name] = p
        if masks:  # the drains' rows (no loadgen report) get theirs below, per frame of the backlog
            bd = breakdown(out, name, p.get("delivered") or 0)
            if bd:
                p["breakdown"] = bd
    for size, dr in drains.items():
        bd = breakdown(out, f"drain-{size}", dr.get("masks") or 0)
        if bd:
            dr["breakdown"] = bd

    def codec_ms(size):
        c = parts[size]["codec"]
        return c["decodeMs"] + c["preprocessMs"] + c["postprocessMs"] + c["encodeMs"]

    def essential(size, o):
        return o["cpuMsPerFrame"] + codec_ms(size) + parts[size]["relay"]["cpuMsPerFrame"]

    rows = []  # (goal, figure, target, verdict)

    def row(goal, value, target, ok, fmt="{:.2f}"):
        text = fmt.format(value) if isinstance(value, (int, float)) else str(value)
        rows.append({"goal": goal, "value": value, "text": text, "target": target,
                     "met": None if ok is None else bool(ok)})

    result = {"run": run, "parts": parts, "drains": drains, "phases": phases, "derived": {}}
    d = result["derived"]
    for size, dr in drains.items():
        ess = essential(size, ortn)
        d[f"essentialCpuMs-{size}"] = ess
        d[f"overhead-{size}"] = dr["serviceCpuMsPerFrame"] / ess
        d[f"limitFps-{size}"] = cores * 1000 / ess
        d[f"throughputRatio-{size}"] = dr["framesPerSecond"] / d[f"limitFps-{size}"]
        d[f"vsOrtAlone-{size}"] = dr["framesPerSecond"] / ortn["framesPerSecond"]
        row(f"overhead {size} (service CPU/frame {dr['serviceCpuMsPerFrame']:.2f} ms in the drain / essential "
            f"{ess:.2f} ms = ORT b{ortn['batch']} {ortn['cpuMsPerFrame']:.2f} + codec {codec_ms(size):.2f} + "
            f"Kafka {parts[size]['relay']['cpuMsPerFrame']:.2f})", d[f"overhead-{size}"], "<= 1.15",
            d[f"overhead-{size}"] <= 1.15)
        row(f"throughput {size}: {dr['framesPerSecond']:.1f} frames/s vs limit {d[f'limitFps-{size}']:.1f} "
            f"({cores} cores / essential)", d[f"throughputRatio-{size}"], ">= 0.85", d[f"throughputRatio-{size}"] >= 0.85)
        row(f"throughput {size} vs ORT alone ({ortn['framesPerSecond']:.1f} frames/s, batch {ortn['batch']}; the old ratio)",
            d[f"vsOrtAlone-{size}"], "report", None)
        row(f"max RSS in the drain {size} (MB)", dr["maxRssMb"], "report", None, "{:.0f}")
        if "machineBusyShare" in dr:
            rest = dr["machineBusyShare"] - dr["serviceShare"] - dr.get("brokerShare", 0) - dr["harnessShare"]
            row(f"drain {size}: the {cores} cores busy (share of all cores: service {100 * dr['serviceShare']:.0f} %, "
                f"broker {100 * dr.get('brokerShare', 0):.0f} %, bench client {100 * dr['harnessShare']:.0f} %, "
                f"other {100 * rest:.0f} %)", 100 * dr["machineBusyShare"], "report", None, "{:.0f} %")
    budget = ort1["p50MsPerBatch"] + codec_ms("720x576")
    d["modelPlusCodecMs"] = budget
    for n in (1, 4, 8):
        s, r = phases.get(f"service-{n}"), phases.get(f"relay-{n}")
        if not s or not r:
            continue
        a50, a99 = s["p50Ms"] - r["p50Ms"], s["p99Ms"] - r["p99Ms"]
        d[f"addedP50-{n}"], d[f"addedP99-{n}"] = a50, a99
        row(f"{n} x 25 fps: p50 added over the relay ({s['p50Ms']:.1f} - {r['p50Ms']:.1f} ms; model+codec {budget:.2f} ms)",
            a50, f"<= {budget + 1:.1f} ms", a50 <= budget + 1, "{:.1f} ms")
        row(f"{n} x 25 fps: p99 added over the relay ({s['p99Ms']:.1f} - {r['p99Ms']:.1f} ms)",
            a99, f"<= {2 * budget:.1f} ms", a99 <= 2 * budget, "{:.1f} ms")
        row(f"{n} x 25 fps: answered {s['delivered']}/{s['sent']}, skips {s['serviceSkips']}, service CPU per "
            f"answered frame", s.get("serviceCpuMsPerFrame", "n/a"), "report", None, "{:.2f} ms")
        if s["maxRssMb"] is not None:
            row(f"{n} x 25 fps: max RSS (MB)", s["maxRssMb"], "<= 768" if n == 8 else "report",
                s["maxRssMb"] <= 768 if n == 8 else None, "{:.0f}")
    cold, steady = phases.get("cold"), phases.get("service-4")
    if cold and steady:
        d["coldOverSteadyP99"] = cold["p99Ms"] / steady["p99Ms"]
        row(f"first 1000 frames after ready: p99 {cold['p99Ms']:.1f} ms vs steady (4 x 25) {steady['p99Ms']:.1f} ms",
            d["coldOverSteadyP99"], "<= 2", d["coldOverSteadyP99"] <= 2)
    base = phases.get("load-50")
    for pct in (50, 120, 200):
        p = phases.get(f"load-{pct}")
        if not p:
            continue
        if pct != 50 and base:
            ratio = p["p99Ms"] / base["p99Ms"]
            d[f"overloadP99Ratio-{pct}"] = ratio
            row(f"overload {pct} % ({p['streams']} x 25 fps): p99 {p['p99Ms']:.1f} ms vs {base['p99Ms']:.1f} at 50 %",
                ratio, "<= 2", ratio <= 2)
        row(f"load {pct} % ({p['streams']} streams): per-stream delivered fps spread (max |fps-mean|/mean), "
            f"mean {p['deliveredFps']:.1f} fps, answered {p['delivered']}/{p['sent']}, skips {p['serviceSkips']}",
            p["fpsSpread"], "<= 0.10", p["fpsSpread"] is not None and p["fpsSpread"] <= 0.10)
    if phases.get("soak"):
        p = phases["soak"]
        row(f"soak 8 x 25 fps: max RSS (MB), last {p['lastRssMb']:.0f}", p["maxRssMb"], "<= 768", p["maxRssMb"] <= 768,
            "{:.0f}")

    parts_rows = []
    for size, pr in parts.items():
        c = pr["codec"]
        parts_rows.append(f"| {size} | {c['decodeMs']:.3f} | {c['preprocessMs']:.3f} | {c['postprocessMs']:.3f} | "
                          f"{c['encodeMs']:.3f} | {pr['relay']['cpuMsPerFrame']:.3f} |")
    warnings = []
    try:
        load_avg = float(run.get("uptime", "").split("load average:")[1].split(",")[0])
        if load_avg > cores:
            warnings.append(f"load average {load_avg:.1f} at the start on {cores} cores: other work competed for the CPU")
    except (IndexError, ValueError):
        pass
    floors = [p["p50Ms"] for n, p in phases.items() if n.startswith("relay-")]
    if floors and max(floors) > 50:
        warnings.append(f"the relay floor's p50 reached {max(floors):.0f} ms (a quiet machine: ~5-10 ms): the broker and "
                        "the load generator were starved, so latency rows and stale skips do not measure the service")
    result["warnings"] = warnings
    md = [f"bench {out}", "", *[f"**WARNING**: {w}" for w in warnings], "",
          f"{run.get('uptime', '')}  ->  end: {run.get('uptime_end', '')}",
          f"service JVM: `{run.get('service_opts', '')}` env `{run.get('service_env', '')}`; git {run.get('git', '')}",
          "",
          f"ONNX Runtime alone ({ort.get('ortSettings', '')}): batch 1 {ort1['framesPerSecond']:.1f} frames/s, "
          f"{ort1['cpuMsPerFrame']:.2f} ms CPU/frame, p50 {ort1['p50MsPerBatch']:.2f} ms; batch {ortn['batch']} "
          f"{ortn['framesPerSecond']:.1f} frames/s, {ortn['cpuMsPerFrame']:.2f} ms CPU/frame"
          + (f"; batch 1 paced at one run per {ort['ortBatch1Paced']['periodMs']} ms (a lone 25 fps stream): p50 "
             f"{ort['ortBatch1Paced']['p50MsPerBatch']:.2f} ms, p99 {ort['ortBatch1Paced']['p99MsPerBatch']:.2f} ms"
             if "ortBatch1Paced" in ort else ""), "",
          "| parts, CPU ms/frame | decode | preprocess | postprocess | 1-bit PNG | relay Kafka clients |",
          "|---|---|---|---|---|---|", *parts_rows, "",
          "| goal | figure | target | met |", "|---|---|---|---|"]
    for r in rows:
        met = "" if r["met"] is None else ("yes" if r["met"] else "**no**")
        md.append(f"| {r['goal']} | {r['text']} | {r['target']} | {met} |")
    stage_order = ["queue", "decode", "preprocess", "inference", "postprocess", "encode", "publish", "end_to_end"]
    bd_rows = []
    for name, p in [(f"drain-{k}", v) for k, v in drains.items()] + [(k, v) for k, v in phases.items()
                                                                      if not k.startswith("drain-")]:
        bd = p.get("breakdown")
        if not bd:
            continue
        st = bd["stagesMeanMs"]
        cells = " | ".join(f"{st[k]['meanMs']:.2f}" if k in st else "" for k in stage_order)
        cpu = bd["threadCpuMsPerFrame"]
        top = ", ".join(f"{g} {ms:.2f}" for g, ms in list(cpu.items())[:6])
        busy = (f"{100 * bd['machineBusyShare']:.0f} % (service {100 * bd['serviceShare']:.0f}, broker "
                f"{100 * bd['brokerShare']:.0f}, rest {100 * (bd['machineBusyShare'] - bd['serviceShare'] - bd['brokerShare']):.0f})"
                if "machineBusyShare" in bd else "")
        bd_rows.append(f"| {name} | {cells} | {sum(cpu.values()):.2f}: {top} | {busy} |")
    if bd_rows:
        md += ["", "Where the time went, from the service's own stage timers (mean ms per frame between the phase's two "
               "scrapes of /q/metrics) and its threads' CPU (/proc/PID/task, CPU ms per answered frame by thread group):",
               "", "| phase | queue | decode | pre | inference (batch) | post | PNG | publish (to ack) | in service | "
               "thread CPU ms/frame: total: largest groups | machine busy (share of all cores) |",
               "|---|---|---|---|---|---|---|---|---|---|---|", *bd_rows]
    cold = phases.get("cold")
    if cold and cold.get("timeline"):
        md += ["", "First frames after ready (phase `cold`), by the second they were sent in: answered, p50 / p99 / max ms",
               "", "| second | " + " | ".join(str(t["second"]) for t in cold["timeline"]) + " |",
               "|---|" + "---|" * len(cold["timeline"]),
               "| answered | " + " | ".join(str(t["answered"]) for t in cold["timeline"]) + " |",
               "| p50 / p99 / max | " + " | ".join(f"{t['p50Ms']:.0f} / {t['p99Ms']:.0f} / {t['maxMs']:.0f}"
                                                  for t in cold["timeline"]) + " |"]
    hot = os.path.join(out, "jfr-hot.json")
    if os.path.exists(hot):
        h = load(hot)
        result["jfr"] = h
        ex = h.get("jdk.ExecutionSample", {})
        md += ["", f"JFR over the lossless service ({ex.get('samples', 0)} Java execution samples): thread groups and "
               "their hottest methods", ""]
        for g in ex.get("threadGroups", [])[:8]:
            tops = ", ".join(f"{t['method'].rsplit('.', 2)[-2]}.{t['method'].rsplit('.', 1)[-1]} {t['samples']}"
                             for t in g["top"][:4])
            md.append(f"- {g['group']}: {100 * g['share']:.0f} % ({tops})")
    result["table"] = rows
    text = "\n".join(md) + "\n"
    open(os.path.join(out, "bench.md"), "w").write(text)
    with open(os.path.join(out, "bench.json"), "w") as f:
        json.dump(result, f, indent=1)
    print(text)
    print(f"wrote {os.path.join(out, 'bench.json')} and bench.md")


if __name__ == "__main__":
    main(sys.argv[1])
