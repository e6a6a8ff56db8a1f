#!/usr/bin/python3
"""Write one lab expectation file (NAME.expect.json) in the repository's format.

lab.sh decides what to expect from what each tool did (its own output and packet
counts over the capture); this only renders that decision, laid out as
expect.Marshal lays out files (two-space JSON, short lists on one line), so
`ipsreplay check --update` would not reflow it.

usage: expect.py OUT.expect.json [ITEM]...
  sig=SID[:min=N][:attackers=A,B][:victims=V,W]   a signature that must fire (A may be a MAC)
  blocked=A,B            exact set of autoblocked hosts (blocked= for none)
  fp=HOST:VERDICT[:MINCONF][;HOST:VERDICT]...      exact set of false positives (fp= for none; HOST may be a MAC)
With no sig= item, "signatures" is [] (nothing may fire). Leaving out blocked= or
fp= leaves that key out of the file (not checked).
"""
import json
import re
import sys

NAMES = {
    9000001: "Attack: TCP SYN Flood",
    9000002: "Attack: Port Scan",
    9000003: "Attack: ARP Cache Poisoning",
    9000004: "Attack: Brute Force Remote Login",
}


def split_list(s):
    return [x for x in s.split(",") if x] if s else []


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    out = argv[1]
    doc = {"signatures": []}
    for item in argv[2:]:
        key, _, val = item.partition("=")
        if key == "sig":
            # fields are ":key=value"; a MAC in a value has colons of its own
            parts = re.split(r":(?=(?:min|attackers|victims)=)", val)
            sid = int(parts[0])
            sig = {"sid": sid, "name": NAMES[sid]}
            for p in parts[1:]:
                k, _, v = p.partition("=")
                if k == "min":
                    sig["min_alerts"] = int(v)
                elif k in ("attackers", "victims"):
                    sig[k] = sorted(split_list(v))
                else:
                    sys.exit(f"expect.py: unknown signature field {k!r}")
            if "min_alerts" not in sig:
                sys.exit("expect.py: real-tool captures give min_alerts, never an exact count")
            doc["signatures"].append(sig)
        elif key == "blocked":
            doc["blocked"] = sorted(split_list(val))
        elif key == "fp":
            fps = []
            for e in (x for x in val.split(";") if x):
                # HOST:VERDICT[:MINCONF], read from the right: HOST may be a MAC
                f = e.split(":")
                conf = ""
                if f[-1] in ("low", "medium", "high"):
                    conf = f.pop()
                fp = {"host": ":".join(f[:-1]), "verdict": f[-1]}
                if conf:
                    fp["min_confidence"] = conf
                fps.append(fp)
            doc["false_positives"] = sorted(fps, key=lambda x: (x["host"], x["verdict"]))
        else:
            sys.exit(f"expect.py: unknown item {item!r}")
    doc["signatures"].sort(key=lambda s: s["sid"])
    text = json.dumps(doc, indent=2, ensure_ascii=False)
    # one line per list of strings or numbers, as expect.Marshal writes them
    text = re.sub(
        r'\[\n\s*(?:"[^"\n]*"|-?\d+)(?:,\n\s*(?:"[^"\n]*"|-?\d+))*\n\s*\]',
        lambda m: "[" + ", ".join(re.findall(r'"[^"\n]*"|-?\d+', m.group(0))) + "]",
        text,
    )
    with open(out, "w") as fh:
        fh.write(text + "\n")


if __name__ == "__main__":
    main(sys.argv)
