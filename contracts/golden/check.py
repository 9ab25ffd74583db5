#!/usr/bin/env python3
"""Checks EndoStream's golden vectors with nothing but Python's standard library.

It is a reader in another language, written from contracts/README.md alone: if it agrees with every vector, so can
yours. Usage: python3 contracts/golden/check.py   (exit status 0 when every case passes)
"""
import base64, datetime, hashlib, json, math, pathlib, re, struct, sys, zlib

HERE = pathlib.Path(__file__).resolve().parent
STREAM_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}")
VERSIONED = re.compile(r"(io\.endostream\..+)\.v([0-9]+)")
MAX_FRAME_BYTES = 16 * 1024 * 1024
FRAME_TYPE, MASK_TYPE, DLQ_TYPE = "io.endostream.frame.v1", "io.endostream.mask.v1", "io.endostream.frame.deadletter.v1"


class Refused(Exception):
    """A record the reader must refuse; args[0] is the dead-letter reason code."""


def key_of(r):
    if r.get("keyBase64") is not None:
        return base64.b64decode(r["keyBase64"])
    return None if r.get("key") is None else r["key"].encode("utf-8")


def value_of(r):
    if r.get("valueBase64") is not None:
        return base64.b64decode(r["valueBase64"])
    return None if r.get("value") is None else (HERE / r["value"]).read_bytes()


def check_type(headers, expected, required):
    t = headers.get("ce_type")
    if t is None:
        if required:
            raise Refused("bad-header")
        return
    t = t.strip()
    if t != expected:
        raise Refused("unsupported-type")  # another type, or a major version this reader does not know


def stream_id(key):
    if not key:
        raise Refused("missing-key")
    try:
        text = key.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("missing-key")
    if not text.strip():
        raise Refused("missing-key")
    if not STREAM_ID.fullmatch(text):
        raise Refused("invalid-stream-id")
    return text


def as_int(text):
    if not re.fullmatch(r"\s*[+-]?[0-9]+\s*", text):
        raise Refused("bad-header")
    return int(text)


def rfc3339_millis(text):
    try:
        t = datetime.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise Refused("bad-header")
    if t.tzinfo is None:
        raise Refused("bad-header")
    return round(t.timestamp() * 1000)


def decode_frame(r):
    h = r["headers"]
    sid = stream_id(key_of(r))
    check_type(h, FRAME_TYPE, required=False)
    value = value_of(r)
    if not value:
        raise Refused("empty-value")
    if len(value) > MAX_FRAME_BYTES:
        raise Refused("too-large")
    sniffed = "JPEG" if value[:3] == b"\xff\xd8\xff" else "PNG" if value[:8] == b"\x89PNG\r\n\x1a\n" else None
    ct = h.get("content-type")
    width = height = 0
    if ct is None or not ct.strip():
        if sniffed is None:
            raise Refused("unrecognised-image")
        fmt = sniffed
    else:
        mime = ct.split(";")[0].strip().lower()
        fmt = {"image/jpeg": "JPEG", "image/jpg": "JPEG", "image/png": "PNG", "application/x-raw-bgr24": "RAW_BGR24"}.get(mime)
        if fmt is None:
            raise Refused("unsupported-content-type")
        if fmt != "RAW_BGR24" and sniffed is None:
            raise Refused("unrecognised-image")
        if fmt != "RAW_BGR24" and sniffed != fmt:
            raise Refused("content-type-mismatch")
    if fmt == "RAW_BGR24":
        if "ce_width" not in h or "ce_height" not in h:
            raise Refused("bad-header")
        width, height = as_int(h["ce_width"]), as_int(h["ce_height"])
        if width <= 0 or height <= 0:
            raise Refused("bad-header")
        if len(value) != width * height * 3:
            raise Refused("raw-size-mismatch")
    sequence = as_int(h["ce_sequence"]) if "ce_sequence" in h else r["offset"]
    if "ce_capturetime" in h:
        capture = as_int(h["ce_capturetime"])
    elif "ce_time" in h:
        capture = rfc3339_millis(h["ce_time"])
    else:
        capture = r["timestamp"]
    frame_id = h.get("ce_frameid") or f'{r["topic"]}-{r["partition"]}-{r["offset"]}'
    return {"streamId": sid, "frameId": frame_id, "sequence": sequence, "captureTimeMillis": capture,
            "format": fmt, "width": width, "height": height}


def png_gray1(data):
    """Pixels (rows of '0'/'1') of a 1-bit grayscale, non-interlaced PNG, decoded by hand."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, color, _, _, interlace = ihdr
    assert (depth, color, interlace) == (1, 0, 0), f"expected 1-bit grayscale, got depth {depth} colour {color}"
    raw, stride, rows, prev = zlib.decompress(idat), (width + 7) // 8, [], bytes((width + 7) // 8)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):  # PNG filters, bytes-per-pixel 1 at bit depth 1
            a, b = line[i - 1] if i else 0, prev[i]
            c = prev[i - 1] if i else 0
            p = a + b - c
            pred = [0, a, b, (a + b) // 2, a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c) else b if abs(p - b) <= abs(p - c) else c][f]
            line[i] = (line[i] + pred) & 0xFF
        rows.append("".join(str(line[x // 8] >> (7 - x % 8) & 1) for x in range(width)))
        prev = bytes(line)
    return width, height, rows


def decode_mask(r):
    h = r["headers"]
    key = key_of(r)
    if not key:
        raise Refused("missing-key")
    sid = stream_id(key)
    check_type(h, MASK_TYPE, required=True)
    need = ["ce_frameid", "ce_sequence", "ce_capturetime", "ce_modelname", "ce_modelversion", "ce_inferencems",
            "ce_endtoendms", "ce_polyparea", "ce_width", "ce_height"]
    if any(n not in h for n in need):
        raise Refused("bad-header")
    mask = {"streamId": sid, "frameId": h["ce_frameid"], "sequence": as_int(h["ce_sequence"]),
            "captureTimeMillis": as_int(h["ce_capturetime"]), "modelName": h["ce_modelname"],
            "modelVersion": h["ce_modelversion"], "inferenceMillis": float(h["ce_inferencems"]),
            "endToEndMillis": float(h["ce_endtoendms"]), "polypAreaFraction": float(h["ce_polyparea"]),
            "regions": json.loads(h.get("ce_regions", "[]")),
            "width": as_int(h["ce_width"]), "height": as_int(h["ce_height"])}
    width, height, rows = png_gray1(value_of(r))
    assert (width, height) == (mask["width"], mask["height"]), "PNG size differs from ce_width x ce_height"
    white = sum(row.count("1") for row in rows)
    assert math.isclose(white / (width * height), mask["polypAreaFraction"]), "ce_polyparea differs from the pixels"
    assert white == sum(g["area"] for g in mask["regions"]) or not mask["regions"] and "ce_regions" not in h
    return mask, rows


def dead_letter_headers(o, reason, detail):
    """The rule of the README's Dead letters section, written out."""
    h = dict(o["headers"])
    key = key_of(o)
    try:
        sid = key.decode("utf-8") if key is not None else None
    except UnicodeDecodeError:
        sid = None
    h["ce_specversion"] = "1.0"
    h["ce_id"] = f'{o["topic"]}-{o["partition"]}-{o["offset"]}/deadletter'
    h["ce_source"] = "/endostream/" + (sid if sid and STREAM_ID.fullmatch(sid) else "_invalid")
    h["ce_type"] = DLQ_TYPE
    h.update({"ce_deadletterreason": reason, "ce_deadletterdetail": detail, "ce_deadlettertopic": o["topic"],
              "ce_deadletterpartition": str(o["partition"]), "ce_deadletteroffset": str(o["offset"])})
    return h


def murmur2(data):
    """Kafka's Java client hash (org.apache.kafka.common.utils.Utils.murmur2), 32-bit arithmetic by masking."""
    m, h = 0x5BD1E995, (0x9747B28C ^ len(data)) & 0xFFFFFFFF
    for i in range(len(data) // 4):
        k = int.from_bytes(data[4 * i:4 * i + 4], "little") * m & 0xFFFFFFFF
        k = (k ^ k >> 24) * m & 0xFFFFFFFF
        h = (h * m & 0xFFFFFFFF) ^ k
    tail = data[len(data) & ~3:]
    if len(tail) >= 3:
        h ^= tail[2] << 16
    if len(tail) >= 2:
        h ^= tail[1] << 8
    if tail:
        h = (h ^ tail[0]) * m & 0xFFFFFFFF
    h = (h ^ h >> 13) * m & 0xFFFFFFFF
    return h ^ h >> 15


def bucket(sid):
    return int.from_bytes(hashlib.sha256(sid.encode("utf-8")).digest()[:4], "big") % 10000


def threshold(percent):
    return 0 if not percent > 0 else min(10000, math.floor(percent * 100 + 0.5))


def ref(r):
    return None if r is None else f'{r["name"]}:{r["version"]}'


def route(plan, sid):
    b = bucket(sid)
    if sid in plan.get("pins", {}):
        primary, because = ref(plan["pins"][sid]), "pin"
    elif plan.get("canary") and b < threshold(plan.get("canaryPercent", 0)):
        primary, because = ref(plan["canary"]), "canary"
    else:
        primary, because = ref(plan["stable"]), "stable"
    shadow = ref(plan.get("shadow"))
    if not (shadow and shadow != primary and (sid in plan.get("shadowStreams", []) or b >= 10000 - threshold(plan.get("shadowPercent", 0)))):
        shadow = None
    return primary, shadow, because


def same(actual, expected):
    assert actual == expected, f"got {actual!r}, expected {expected!r}"


def main():
    failures, passed = [], 0

    def outcome(name, fn):
        nonlocal passed
        try:
            fn()
            passed += 1
        except (AssertionError, Refused, KeyError, ValueError) as e:
            failures.append(f"{name}: {type(e).__name__} {e}")

    def refused(fn, *args):
        try:
            fn(*args)
        except Refused as e:
            return e.args[0]
        return None

    for c in json.loads((HERE / "frames.json").read_text("utf-8"))["cases"]:
        def frame_case(c=c):
            if "deadLetter" in c["expect"]:
                assert refused(decode_frame, c["record"]) == c["expect"]["deadLetter"], refused(decode_frame, c["record"])
            else:
                assert decode_frame(c["record"]) == c["expect"]["frame"], decode_frame(c["record"])
        outcome("frames/" + c["name"], frame_case)
    for c in json.loads((HERE / "masks.json").read_text("utf-8"))["cases"]:
        def mask_case(c=c):
            if "error" in c["expect"]:
                assert refused(decode_mask, c["record"]) == c["expect"]["error"]
            else:
                mask, rows = decode_mask(c["record"])
                assert mask == c["expect"]["mask"], mask
                assert rows == c["expect"]["pixels"], rows
        outcome("masks/" + c["name"], mask_case)
    for c in json.loads((HERE / "deadletters.json").read_text("utf-8"))["cases"]:
        def dlq_case(c=c):
            got = dead_letter_headers(c["original"], c["reason"], c["detail"])
            assert got == c["expect"]["headers"], got
        outcome("deadletters/" + c["name"], dlq_case)
    routing = json.loads((HERE / "routing.json").read_text("utf-8"))
    for sid, b in routing["buckets"].items():
        outcome(f"buckets/{sid[:20]}", lambda sid=sid, b=b: same(bucket(sid), b))
    for n, table in routing["partitions"].items():
        for sid, p in table.items():
            outcome(f"partitions/{n}/{sid[:20]}", lambda sid=sid, p=p, n=int(n): same((murmur2(sid.encode()) & 0x7FFFFFFF) % n, p))
    for r in routing["routes"]:
        outcome("routes/" + r["streamId"], lambda r=r: same(route(routing["plan"], r["streamId"]), (r["primary"], r["shadow"], r["because"])))

    for f in failures:
        print("FAIL", f)
    print(f"{passed} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
