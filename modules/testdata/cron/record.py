#!/usr/bin/python3
"""Records what Ansible's cron module does, step by step, into
scenarios.json, which cron_test.go replays against tend's Plan.

Run as root from this folder with ansible-core and Debian's cron installed
(recorded with ansible-core 2.14.18, cron 3.0pl1-162):
    python3 record.py > scenarios.json
User crontabs are written by the real crontab command, but inside a private
mount namespace where /var/spool/cron/crontabs is a temporary folder: the
machine's crontabs are never touched. cron_file scenarios use a temporary
folder. No cron daemon is started.
"""
import json
import os
import subprocess
import sys
import tempfile

NS = 'mount --bind "$0" /var/spool/cron/crontabs && exec "$@"'


def ns(spool, argv, stdin=None):
    return subprocess.run(["unshare", "-m", "sh", "-c", NS, spool] + argv,
                          input=stdin, capture_output=True, text=True)


def ansible(spool, args):
    out = ns(spool, ["ansible", "localhost", "-c", "local", "-i", "localhost,", "-m", "cron", "-a", json.dumps(args)])
    status, res = out.stdout.split("=>", 1)
    res = json.loads(res)
    return {"changed": res.get("changed", False), "failed": "FAILED" in status, "msg": res.get("msg", ""),
            "jobs": res.get("jobs"), "envs": res.get("envs")}


def user_state(spool):
    r = ns(spool, ["crontab", "-u", "nobody", "-l"])
    err = r.stderr.splitlines()[0] if r.stderr else ""
    return {"rc": r.returncode, "err": err, "out": r.stdout}


U = {"user": "nobody"}
USER_SCENARIOS = [
    ("jobs and variables", None, [
        dict(U, name="check dirs", minute="0", hour="5,2", job="ls -alh > /dev/null"),
        dict(U, name="check dirs", minute="0", hour="5,2", job="ls -alh > /dev/null"),
        dict(U, name="PATH", env=True, job="/opt/bin"),
        dict(U, name="APP_HOME", env=True, job="/srv/app", insertafter="PATH"),
        dict(U, name="A", env=True, job="1", insertbefore="PATH"),
        dict(U, name="A", env=True, job="2"),
        dict(U, name="B", env=True, job="1", insertafter="NOPE"),
        dict(U, name="check dirs", minute="0", hour="3", job="ls -alh > /dev/null"),
        dict(U, name="reboot job", special_time="reboot", job="/some/job.sh"),
        dict(U, name="check dirs", minute="0", hour="3", job="ls -alh > /dev/null", disabled=True),
        dict(U, name="percent", job="date +%s > /tmp/x 'q' \"d\" $HOME"),
        dict(U, name="check dirs", state="absent"),
        dict(U, name="APP_HOME", env=True, state="absent"),
        dict(U, name="reboot job", state="absent"),
        dict(U, name="percent", state="absent"),
        dict(U, name="PATH", env=True, state="absent"),
        dict(U, name="A", env=True, state="absent"),
        dict(U, name="gone", state="absent"),
    ]),
    ("a hand-written job gets its header", "MAILTO=x\n* * * * * /bin/true\n# comment\n", [
        dict(U, name="true", job="/bin/true"),
        dict(U, name="true", job="/bin/true"),
        dict(U, name="true", job="/bin/false"),
    ]),
    ("errors", None, [
        dict(U, name="x", job="y", special_time="daily", minute="1"),
        dict(U, name="x"),
        dict(U, name="x", job="y", insertafter="A"),
        dict(U, name="a b", env=True, job="y"),
    ]),
]

F = {"user": "root"}
FILE_SCENARIOS = [
    ("a cron file", None, [
        dict(F, name="a", minute="*/5", job="/bin/a"),
        dict(F, name="b", special_time="hourly", job="/bin/b"),
        dict(F, name="b", special_time="hourly", job="/bin/b"),
        dict(F, name="a", state="absent"),
        dict(F, name="b", state="absent"),
        dict(F, name="b", state="absent"),
    ]),
    ("no final newline", "SHELL=/bin/sh\n* * * * * root true", [
        dict(F, name="nothing", state="absent"),
        dict(F, name="nothing", state="absent"),
    ]),
    ("without user", None, [
        dict(name="a", job="/bin/a"),
    ]),
]

out = []
for name, initial, steps in USER_SCENARIOS:
    with tempfile.TemporaryDirectory() as spool:
        if initial is not None:
            ns(spool, ["crontab", "-u", "nobody", "-"], stdin=initial)
        rec = {"name": name, "mode": "user", "steps": []}
        state = user_state(spool)
        for args in steps:
            r = ansible(spool, args)
            r["args"], r["before"] = args, state
            state = user_state(spool)
            r["after"] = state
            rec["steps"].append(r)
        out.append(rec)
for name, initial, steps in FILE_SCENARIOS:
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "tend-test")
        if initial is not None:
            with open(p, "w") as f:
                f.write(initial)
        rec = {"name": name, "mode": "file", "steps": []}

        def state():
            if not os.path.exists(p):
                return None
            with open(p) as f:
                return {"out": f.read(), "mode": "%04o" % (os.stat(p).st_mode & 0o7777)}
        before = state()
        for args in steps:
            r = ansible("/var/spool/cron/crontabs", dict(args, cron_file=p))
            r["args"], r["before"] = args, before
            before = state()
            r["after"] = before
            rec["steps"].append(r)
        out.append(rec)
json.dump(out, sys.stdout, indent=1)
sys.stdout.write("\n")
