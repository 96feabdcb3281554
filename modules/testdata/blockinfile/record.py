#!/usr/bin/python3
"""Records what Ansible's blockinfile does to each case's file, into
cases.json, which blockinfile_test.go replays against tend's Plan.

Run from this folder with ansible-core installed (recorded with 2.14.18):
    python3 record.py > cases.json
It only touches files in a temporary folder.
"""
import json
import os
import subprocess
import sys
import tempfile

A, B = "# BEGIN ANSIBLE MANAGED BLOCK\n", "# END ANSIBLE MANAGED BLOCK\n"
CASES = [
    ("append to a file", "a\nb\n", {"block": "x\ny"}),
    ("append, no final newline", "a\nb", {"block": "x"}),
    ("block ending in newline", "a\n", {"block": "x\ny\n"}),
    ("already there", "a\n" + A + "x\n" + B + "b\n", {"block": "x"}),
    ("replace the block in place", "a\n" + A + "old\nold2\n" + B + "b\n", {"block": "new"}),
    ("markers reversed", "a\n" + B + "old\n" + A + "b\n", {"block": "new"}),
    ("only the begin marker", "a\n" + A + "b\n", {"block": "new"}),
    ("last markers win", A + "1\n" + B + "m\n" + A + "2\n" + B, {"block": "3"}),
    ("insertafter regexp", "a\nb\nc\n", {"block": "x", "insertafter": "^b"}),
    ("insertafter last match", "k\nk\nz\n", {"block": "x", "insertafter": "k"}),
    ("insertafter dollar", "k\nkk\nz\n", {"block": "x", "insertafter": "^k$"}),
    ("insertafter no match", "a\n", {"block": "x", "insertafter": "nope"}),
    ("insertafter EOF", "a\n", {"block": "x", "insertafter": "EOF"}),
    ("insertbefore regexp", "a\nb\nc\n", {"block": "x", "insertbefore": "^c"}),
    ("insertbefore BOF", "a\nb\n", {"block": "x", "insertbefore": "BOF"}),
    ("insertbefore no match", "a\n", {"block": "x", "insertbefore": "nope"}),
    ("insertbefore EOF is a regexp", "EOF\na\n", {"block": "x", "insertbefore": "EOF"}),
    ("insertafter multiline", "s =\n  (list =\nt\n", {"block": "x", "insertafter": "(?m)s =\\n.*\\(list ="}),
    ("insertbefore multiline", "s =\n  (list =\nt\n", {"block": "x", "insertbefore": "(?m)^t"}),
    ("insertafter the last line without newline", "a\nb", {"block": "x", "insertafter": "^b"}),
    ("empty block removes", "a\n" + A + "x\n" + B + "b\n", {"block": ""}),
    ("state absent removes", "a\n" + A + "x\n" + B + "b\n", {"block": "x", "state": "absent"}),
    ("state absent, no block there", "a\n", {"state": "absent"}),
    ("absent file", None, {"state": "absent"}),
    ("absent file with create", None, {"state": "absent", "create": True}),
    ("missing without create", None, {"block": "x"}),
    ("create", None, {"block": "x", "create": True}),
    ("create with an empty block", None, {"create": True}),
    ("empty file", "", {"block": "x"}),
    ("custom marker", "a\n", {"block": "x", "marker": "<!-- {mark} tend -->", "marker_begin": "START", "marker_end": "STOP"}),
    ("marker without mark", "a\n", {"block": "x", "marker": "# managed"}),
    ("marker without mark, again", "a\n# managed\nx\n# managed\n", {"block": "x", "marker": "# managed"}),
    ("crlf file", "a\r\nb\r\n", {"block": "x"}),
    ("crlf markers are not markers", "a\r\n# BEGIN ANSIBLE MANAGED BLOCK\r\nx\r\n# END ANSIBLE MANAGED BLOCK\r\n", {"block": "x"}),
    ("cr line ends", "a\rb\r", {"block": "x", "insertafter": "^a"}),
    ("block with shell characters", "a\n", {"block": "$HOME `id` 'q' \"d\" \\ %s %% \\n"}),
    ("form feed is not a line end", "a\fb\n", {"block": "x", "insertafter": "^a"}),
]


def run(before, args):
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "f")
        if before is not None:
            with open(p, "wb") as f:
                f.write(before.encode())
        a = dict(args, path=p)
        out = subprocess.run(
            ["ansible", "localhost", "-c", "local", "-i", "localhost,", "-m", "blockinfile", "-a", json.dumps(a)],
            capture_output=True, text=True)
        # "localhost | CHANGED => {...}"
        status, res = out.stdout.split("=>", 1)
        res = json.loads(res)
        res["failed"] = "FAILED" in status
        after = None
        if os.path.exists(p):
            with open(p, "rb") as f:
                after = f.read().decode()
        return {"changed": res.get("changed", False), "failed": res.get("failed", False),
                "msg": res.get("msg", ""), "after": after}


out = []
for name, before, args in CASES:
    r = run(before, args)
    out.append(dict(name=name, before=before, args=args, **r))
json.dump(out, sys.stdout, indent=1)
sys.stdout.write("\n")
