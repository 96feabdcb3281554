#!/usr/bin/python3
"""Log parsing and the report for run.sh.

  compat.py parse-run ansible|tend LOG RC   -> JSON on stdout: stop, recap, msg
  compat.py report [CASE...]                -> markdown table + blockers (all cases with results)
"""
import json
import os
import re
import sys
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.environ.get("COMPAT_WORK") or "/tmp/tend-compat"
OUT = os.environ.get("OUT") or os.path.join(WORK, "out")  # run.sh exports OUT

RECAP_RE = re.compile(r"^twin\s+:?\s*(ok=.*)$")
COUNT_RE = re.compile(r"(\w+)=(\d+)")


def recap_of(line):
    m = RECAP_RE.match(line.strip())
    if not m:
        return None
    return {k: int(v) for k, v in COUNT_RE.findall(m.group(1))}


ROLE_PREFIX_RE = re.compile(r"^[^:\[\]]+ : ")
# A task's outcome on the twin host, worst first: loops print one line per item.
RANK = ["failed", "ignored", "changed", "ok", "skipped"]


def worse(a, b):
    if a is None:
        return b
    return a if RANK.index(a) <= RANK.index(b) else b


def task_name(kind, name):
    name = ROLE_PREFIX_RE.sub("", name, count=1)
    name = re.sub(r"^ansible\.(builtin|legacy)\.(\w+)$", r"\2", name)  # an unnamed task: its module
    return ("HANDLER " if kind != "TASK" else "") + name


def parse_ansible(lines):
    """Last failed (not ignored) task of the twin host, the recap, load errors,
    and every task's outcome [(name, status)]."""
    cur, block_failed, block_msg, last_fail, last_msg = None, False, "", None, ""
    recap, error = None, None
    tasks, status = [], None

    def close(next_task=False):
        nonlocal last_fail, last_msg, status
        if cur is not None and block_failed:
            last_fail, last_msg = cur, block_msg
        if status is None and next_task:
            status = "ok"  # include_role prints no line for a host: tend prints ok
        if cur is not None and cur != "Gathering Facts" and status is not None:
            # Also a role's implicit "Validating arguments against arg
            # spec" task, which both tools run.
            tasks.append((cur, status))

    for i, line in enumerate(lines):
        m = re.match(r"^(TASK|RUNNING HANDLER) \[(.*)\] \**$", line)
        if m or line.startswith("PLAY ") or line.startswith("PLAY RECAP"):
            close(m is not None)
            cur, block_failed, block_msg, status = None, False, "", None
            if m:
                cur = task_name(m.group(1), m.group(2))
            continue
        sm = re.match(r"^(ok|changed|skipping|fatal|failed): \[twin\]", line) or \
            re.match(r"^(included): .* for (.*, )?twin(,|$)", line)
        if sm:
            st = {"skipping": "skipped", "included": "ok", "fatal": "failed"}.get(sm.group(1), sm.group(1))
            status = worse(status, st)
        if re.match(r"^(fatal|failed): \[twin\]", line):
            block_failed = True
            mm = re.search(r'"msg": "((?:[^"\\]|\\.)*)"', line)
            if not mm and line.rstrip().endswith("{"):  # the result spans lines
                body = "\n".join(lines[i + 1:i + 200])
                mm = re.search(r'^\s*"msg": "((?:[^"\\]|\\.)*)"', body, re.M)
            block_msg = mm.group(1)[:160] if mm else line[:160]
            if "UNREACHABLE!" in line:
                block_msg = "UNREACHABLE " + block_msg
        elif line.startswith("...ignoring"):
            block_failed = False
            status = "ignored" if status == "failed" else status
        elif line.startswith("ERROR!") and error is None:
            error = line.strip()[:200]
        r = recap_of(line) if line.startswith("twin") else None
        if r is not None:
            recap = r
    close()
    return last_fail, last_msg, recap, error, cur, tasks


def parse_tend(lines):
    cur, last_fail, last_msg, recap, error = None, None, "", None, None
    tasks, status = [], None
    for line in lines:
        m = re.match(r"^(TASK|HANDLER) \[(.*)\] (\S+)  (\S+)$", line) or re.match(r"^(TASK|HANDLER) \[(.*)\]", line)
        if m or line.startswith("RECAP") or line.startswith("PLAY "):
            if cur is not None and status is not None:
                tasks.append((cur, status))
            cur, status = (task_name(m.group(1), m.group(2)) if m else None), None
            continue
        sm = re.match(r"^  (ok|changed|skipped|failed \(ignored\)|failed|UNREACHABLE): ", line)
        if sm and cur is not None:
            st = {"failed (ignored)": "ignored", "UNREACHABLE": "failed"}.get(sm.group(1), sm.group(1))
            status = worse(status, st)
        if re.match(r"^  (failed|UNREACHABLE): twin", line):
            last_fail = cur
            last_msg = line.split("=>", 1)[1].strip()[:160] if "=>" in line else line.strip()
        r = recap_of(line) if line.startswith("twin") else None
        if r is not None:
            recap = r
        if error is None and re.match(r"^\S.*:\d+:\d+: ", line):
            error = line.strip()[:200]
    if cur is not None and status is not None:
        tasks.append((cur, status))
    return last_fail, last_msg, recap, error, cur, tasks


def parse_run(tool, log, rc):
    with open(log, errors="replace") as f:
        lines = f.read().splitlines()
    last_fail, msg, recap, error, cur, tasks = (parse_ansible if tool == "ansible" else parse_tend)(lines)
    rc = int(rc)
    if rc == 124 or rc == 137:
        stop = "TIMEOUT (in: %s)" % (cur or "?")
    elif recap is None:
        stop = "LOAD ERROR"
        msg = error or (lines[-1] if lines else "no output")
    elif recap.get("failed", 0) == 0 and recap.get("unreachable", 0) == 0:
        stop, msg = "end", ""
    else:
        stop = last_fail or "?"
        if recap.get("unreachable"):
            stop = "UNREACHABLE at %s" % (last_fail or cur or "?")
    short = None
    if recap:
        short = " ".join("%s=%d" % (k[:2] if k != "unreachable" else "unr", recap.get(k, 0))
                         for k in ("ok", "changed", "failed", "skipped", "unreachable", "ignored"))
    counts = {k: sum(1 for _, st in tasks if st == k) for k in RANK}
    return {"stop": stop, "msg": msg, "recap": recap, "recap_short": short, "rc": rc,
            "tasks": tasks, "counts": counts}


def second_run(d, tool):
    """The tool's second run on its host (SECOND_RUN=1), or {}."""
    try:
        with open(os.path.join(d, tool + ".run2.rc")) as f:
            rc = f.read().strip()
        return parse_run(tool, os.path.join(d, tool + ".run2.log"), rc)
    except (OSError, ValueError):
        return {}


# What this machine writes meanwhile (hosts are overlays of its live root).
MANIFEST_NOISE = ("/root/.config/go/", "/root/go/")


def manifest(d, tool):
    """{path: "type mode owner hash-or-target"} of what the tool left on its host, or None."""
    try:
        with open(os.path.join(d, tool + ".manifest"), errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    out = {}
    for line in lines:
        p, _, rest = line.partition(" ")
        if not p.startswith(MANIFEST_NOISE):
            out[p] = rest
    return out


def real_entry(p):
    """This machine's path p as a manifest entry (see inner.sh), or None."""
    import grp
    import hashlib
    import pwd
    import stat
    try:
        st = os.lstat(p)
    except OSError:
        return None
    try:
        owner = "%s:%s" % (pwd.getpwuid(st.st_uid).pw_name, grp.getgrgid(st.st_gid).gr_name)
    except KeyError:
        owner = "%d:%d" % (st.st_uid, st.st_gid)
    mode = "%o" % stat.S_IMODE(st.st_mode)
    if stat.S_ISDIR(st.st_mode):
        return "d %s %s" % (mode, owner)
    if stat.S_ISLNK(st.st_mode):
        return "l %s %s %s" % (mode, owner, os.readlink(p))
    if stat.S_ISREG(st.st_mode):
        try:
            with open(p, "rb") as f:
                h = hashlib.sha256(f.read()).hexdigest()[:16]
        except OSError:
            return None
        return "f %s %s %s" % (mode, owner, h)
    return None


def host_difference(d):
    """How the twins' hosts differ after the runs: "" when alike, None without manifests."""
    a, t = manifest(d, "ansible"), manifest(d, "tend")
    if a is None or t is None:
        return None
    diffs = []
    for p in sorted(set(a) | set(t)):
        # A path one host did not touch is as on this machine (hosts are overlays
        # of its root): a directory whose ctime only one tool's temp files moved.
        x, y = a.get(p) or real_entry(p), t.get(p) or real_entry(p)
        if x != y:
            diffs.append("`%s` ansible `%s`, tend `%s`" % (p, a.get(p, "(absent)"), t.get(p, "(absent)")))
    if not diffs:
        return "same (%d paths)" % len(a)
    more = " (+%d more)" % (len(diffs) - 3) if len(diffs) > 3 else ""
    return "%d of %d paths differ: %s%s" % (len(diffs), len(set(a) | set(t)), "; ".join(diffs[:3]), more)


def tally(r):
    """Tasks run, by outcome, counted alike for both tools (no fact gathering)."""
    c = r.get("counts")
    if not c:
        return ""
    return "%d ok, %d ch, %d fail, %d skip" % (c["ok"], c["changed"], c["failed"] + c["ignored"], c["skipped"])


def first_difference(a, t):
    """The first task whose name or outcome differs between the two runs, and
    how many skipped tasks of Ansible's tend did not print before it (a loop
    over an empty list: Ansible prints it skipped, tend prints nothing)."""
    at, tt = a.get("tasks") or [], t.get("tasks") or []
    i = j = hidden = 0
    fmt = lambda z: "%s: %s" % z if z else "(nothing)"
    while i < len(at) or j < len(tt):
        x = at[i] if i < len(at) else None
        y = tt[j] if j < len(tt) else None
        if x == y:
            i, j = i + 1, j + 1
            continue
        if x and x[1] == "skipped" and (y is None or x[0] != y[0]):
            i, hidden = i + 1, hidden + 1
            continue
        return "ansible's task #%d `%s`, tend's #%d `%s`%s" % (
            i + 1, fmt(x), j + 1, fmt(y), " (%d skipped ones unshown by tend before)" % hidden if hidden else "")
    return "(%d skipped tasks unshown by tend)" % hidden if hidden else ""


def load_json(p):
    try:
        with open(p) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def case_rows():
    rows = []
    with open(os.path.join(HERE, "cases.tsv")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            rows.append({"case": parts[0], "checkout": parts[1], "mirror": parts[2], "commit": parts[3]})
    return rows


LOC_RE = re.compile(r"^(\S[^:]*):(\d+):(\d+): (.*)$")


def tend_load_errors(path):
    """The distinct messages of a tend --syntax-check log (locations stripped)."""
    msgs = []
    try:
        with open(path, errors="replace") as f:
            for line in f.read().splitlines():
                if not line.strip() or line.startswith(" ") or line.startswith("playbook: ") or line.startswith("warning: "):
                    continue
                m = LOC_RE.match(line)
                msgs.append(m.group(4) if m else line.strip())
    except OSError:
        pass
    return msgs


def reparse(d, tool, stored):
    """The run's result from its log (so parser fixes apply to old runs)."""
    if not stored:
        return {}
    try:
        with open(os.path.join(d, tool + ".run.rc")) as f:
            rc = f.read().strip()
        return parse_run(tool, os.path.join(d, tool + ".run.log"), rc)
    except (OSError, ValueError):
        return stored


def tend_load_warnings(path):
    """The distinct warnings of a tend --syntax-check log (locations stripped)."""
    msgs = set()
    try:
        with open(path, errors="replace") as f:
            for line in f.read().splitlines():
                if line.startswith("warning: "):
                    m = LOC_RE.match(line[len("warning: "):])
                    msgs.add(m.group(4) if m else line[len("warning: "):].strip())
    except OSError:
        pass
    return msgs


def cell(s):
    return (s or "").replace("|", "\\|").replace("\n", " ")


def report(only):
    rows = [r for r in case_rows() if not only or r["case"] in only]
    out = []
    out.append("| role | repo@commit | load (ansible, tend) | ansible tasks | ansible stops at | tend tasks | tend stops at | same? |")
    out.append("|---|---|---|---|---|---|---|---|")
    diffs, seconds, hosts = [], [], []
    blockers = defaultdict(lambda: [set(), 0])
    runtime = defaultdict(set)
    warnings = defaultdict(set)
    details = []
    tends = set()
    counts = defaultdict(int)
    for r in rows:
        d = os.path.join(OUT, r["case"])
        res = load_json(os.path.join(d, "result.json"))
        if res is None:
            continue
        tends.add(res.get("tend_sha", "?"))
        repo = "%s@%s" % (r["mirror"].replace("+", "/"), res.get("commit", r["commit"])[:8])
        al = "ok" if res["ansible_syntax_rc"] == 0 else "FAIL rc=%d" % res["ansible_syntax_rc"]
        errs = tend_load_errors(os.path.join(d, "tend.syntax.log"))
        for w in tend_load_warnings(os.path.join(d, "tend.syntax.log")):
            warnings[w].add(r["case"])
        if res["tend_syntax_rc"] == 0:
            tl = "ok"
        else:
            tl = "FAIL: %d errors" % len(errs)
            for e in set(errs):
                blockers[e][0].add(r["case"])
            for e in errs:
                blockers[e][1] += 1
        a, t = reparse(d, "ansible", res.get("ansible")), reparse(d, "tend", res.get("tend"))
        a2, t2 = second_run(d, "ansible"), second_run(d, "tend")
        if a2 or t2:
            seconds.append("| %s | %s | %s | %s | %s | %s |" % (
                r["case"], tally(a2), cell(a2.get("stop")), tally(t2), cell(t2.get("stop")),
                cell(first_difference(a2, t2)) or "none"))
        astop, tstop = a.get("stop", "not run"), t.get("stop", "not run")
        if res["tend_syntax_rc"] != 0 and not t:
            tstop = "(load error)"
        same = "yes" if astop == tstop and astop not in ("not run",) else "no"
        counts[same] += 1
        out.append("| %s | %s | %s, %s | %s | %s | %s | %s | %s |" % (
            r["case"], repo, al, tl, tally(a), cell(astop), tally(t), cell(tstop), same))
        hd = host_difference(d)
        if hd is not None:
            hosts.append("- %s: %s" % (r["case"], cell(hd)))
        fd = first_difference(a, t) if a and t else ""
        if fd:
            diffs.append("- %s: %s" % (r["case"], cell(fd)))
        if same == "no" and t.get("msg"):
            m = re.sub(r"^\S+:\d+: ", "", t["msg"].strip())
            runtime[m].add(r["case"])
        if same == "no" and t:
            details.append("- %s: ansible `%s` [%s] %s; tend `%s` [%s] %s" % (
                r["case"], cell(astop), a.get("recap_short"), cell(a.get("msg"))[:120],
                cell(tstop), t.get("recap_short"), cell(t.get("msg"))[:120]))
    out.append("")
    out.append("same: %d yes, %d no (of %d). tend binaries: %s" % (counts["yes"], counts["no"],
               counts["yes"] + counts["no"], ", ".join(sorted(tends))))
    if details:
        out.append("")
        out.append("Runs that differ although tend loaded:")
        out.extend(details)
    out.append("")
    out.append("First task whose outcome differs (task number, name: outcome), per role:")
    out.extend(diffs or ["- (none: every role ran the same tasks with the same outcomes)"])
    if hosts:
        out.append("")
        out.append("The twins' hosts after the runs (paths created or changed: type, mode, owner, content hash or link target):")
        out.extend(hosts)
    if seconds:
        out.append("")
        out.append("Second run on the same host (SECOND_RUN=1):")
        out.append("")
        out.append("| role | ansible tasks | ansible stops at | tend tasks | tend stops at | first difference |")
        out.append("|---|---|---|---|---|---|")
        out.extend(seconds)
    out.append("")
    out.append("tend's failure where it stops elsewhere than Ansible (roles, message):")
    for msg, cases in sorted(runtime.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        out.append("- %d roles: `%s` (%s)" % (len(cases), cell(msg)[:200], ", ".join(sorted(cases))))
    if not runtime:
        out.append("- (none)")
    out.append("")
    out.append("tend load errors by cause (roles blocked, occurrences, message):")
    if not blockers:
        out.append("- (none)")
    for msg, (cases, n) in sorted(blockers.items(), key=lambda kv: (-len(kv[1][0]), -kv[1][1], kv[0])):
        out.append("- %d roles, %d× `%s` (%s)" % (len(cases), n, msg, ", ".join(sorted(cases))))
    out.append("")
    out.append("tend load warnings (a host that reaches such a task fails), by roles:")
    for msg, cases in sorted(warnings.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        out.append("- %d: `%s` (%s)" % (len(cases), cell(msg)[:160], ", ".join(sorted(cases))))
    print("\n".join(out))


def main():
    if len(sys.argv) >= 5 and sys.argv[1] == "parse-run":
        json.dump(parse_run(sys.argv[2], sys.argv[3], sys.argv[4]), sys.stdout)
    elif len(sys.argv) >= 2 and sys.argv[1] == "report":
        report(set(sys.argv[2:]))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
