#!/usr/bin/env bash
# scripts/record-oracle-run.sh [--skip-optional] [case-name...]
#
# Record, from REAL Slurm 22.05 (the oracle in /work/shared/slurm-oracle), what
# a batch job sees when it RUNS: its SLURM_* environment, the files it writes,
# the states it goes through and its final state, for every case of
# fixtures/oracle/run/cases.json (or only the named ones).  flow-slurm's local
# provider is tested against these recordings.  See fixtures/oracle/run/README.md.
#
# For every case, in its own fixed work dir /tmp/flow-oracle/run/<name>:
#   1. the dir is recreated empty (+ the case's "mkdir" subdirs) and the job
#      script(s) from fixtures/scripts/run/ are copied into it;
#   2. (dependency cases) the parent job is submitted first, then
#      sbatch --parsable <args> <script> runs there with a clean environment
#      (PATH=/usr/bin:/bin HOME=/root USER=root SLURM_CONF + the case's "env");
#   3. the job's records are polled (one shared squeue call for all cases,
#      every 0.1 s) and each change of state/reason is noted with the time
#      since the case's first sbatch call; the case's "action" (scancel /
#      scontrol requeue) runs when its condition is seen; "repeat": 2 submits
#      the job again after the first one ended;
#   4. when every record is final: scontrol show job -o (well within
#      MinJobAge=300 s), sacct --completion rows, the jobcomp/filetxt lines,
#      and every file in the work dir (name + exact content + env lines, raw
#      and normalised);
#   5. fixtures/oracle/run/<name>.json is written.
# All cases run in parallel (jobs are small; the cluster has room for all).
# A full run takes ~4 min, dominated by the requeue cases (a requeued job is
# not eligible again for ~2 min); --skip-optional leaves them out (~2 min,
# the time-limit cases).  A full run (no names) first deletes run/*.json
# except cases.json.  Nothing is left in the queue: a final sweep scancels
# any job of this run that is not finished.
# Needs the oracle running: /work/shared/slurm-oracle/start.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ORACLE_DIR=${ORACLE_DIR:-/work/shared/slurm-oracle}
# shellcheck disable=SC1091
. "$ORACLE_DIR/env.sh"        # exports SLURM_CONF=/etc/slurm-oracle/slurm.conf

if ! env -i PATH=/usr/bin:/bin SLURM_CONF="$SLURM_CONF" sinfo -h >/dev/null 2>&1; then
  echo "record-oracle-run: the oracle Slurm does not answer (sinfo failed)." >&2
  echo "record-oracle-run: start it with $ORACLE_DIR/start.sh (as root), then re-run." >&2
  exit 1
fi

export ROOT SLURM_CONF
exec /usr/bin/python3 - "$@" <<'PY'
import datetime, json, os, re, shutil, socket, subprocess, sys, threading, time

ROOT = os.environ["ROOT"]
SLURM_CONF = os.environ["SLURM_CONF"]
SCRIPTS = os.path.join(ROOT, "fixtures/scripts/run")
OUT = os.path.join(ROOT, "fixtures/oracle/run")
BASE = "/tmp/flow-oracle/run"
POLL = 0.1                      # seconds between squeue polls
DEFAULT_TIMEOUT = 180           # seconds per case (cases.json "timeout" overrides)
FINAL_STATES = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY",
                "PREEMPTED", "BOOT_FAIL", "DEADLINE"}
ENV_RE = re.compile(r"(SLURM_|SLURMD_|CUDA_VISIBLE_DEVICES=|GPU_DEVICE_ORDINAL=|ROCR_VISIBLE_DEVICES=)")
VOLATILE = {"SLURM_TASK_PID", "SLURM_JOB_START_TIME", "SLURM_JOB_END_TIME"}
TIME_RE = re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\b")
HOST = socket.gethostname()

# The only environment sbatch/scontrol/squeue/scancel ever see (+ the case's "env").
CLEAN_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/root", "USER": "root", "SLURM_CONF": SLURM_CONF}


def run(argv, cwd=BASE, env=None, timeout=60):
    p = subprocess.run(argv, cwd=cwd, env=env or CLEAN_ENV, timeout=timeout, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, text(p.stdout), text(p.stderr)


def text(b):
    return b.decode("utf-8", errors="backslashreplace")


def parse_scontrol(line):
    parts = re.split(r" (?=[A-Za-z][A-Za-z0-9_/:]*=)", line.strip())
    return dict(p.partition("=")[::2] for p in parts)


def scontrol_lines(job_id):
    rc, out, err = run(["scontrol", "show", "job", "-o", str(job_id)])
    return [l for l in out.split("\n") if l.strip()], (err if rc else None)


def expand_hosts(expr):
    if not expr or expr == "(null)":
        return []
    rc, out, _ = run(["scontrol", "show", "hostnames", expr])
    return out.split() if rc == 0 else []


def stamp(t):
    return round(t, 2)


# ---------------------------------------------------------------- poller
class Poller(threading.Thread):
    """One squeue call per POLL for the jobs of every running case."""
    def __init__(self):
        super().__init__(daemon=True)
        self.ids = set()
        self.cond = threading.Condition()
        self.rows, self.taken, self.gen = {}, 0.0, 0
        self.stopping = False

    def watch(self, job_id):
        with self.cond:
            self.ids.add(str(job_id))

    def unwatch(self, ids):
        with self.cond:
            self.ids -= {str(i) for i in ids}

    def run(self):
        while not self.stopping:
            with self.cond:
                ids = sorted(self.ids)
            rows = {}
            t = time.time()
            if ids:
                try:
                    rc, out, _ = run(["squeue", "-h", "-t", "all", "-j", ",".join(ids),
                                      "-o", "%i|%A|%F|%K|%T|%r"], timeout=20)
                except subprocess.TimeoutExpired:
                    rc, out = 1, ""
                for l in out.splitlines():
                    f = l.split("|")
                    if len(f) == 6:
                        rows[f[0]] = {"key": f[0], "jobId": f[1], "arrayJobId": f[2], "taskId": f[3],
                                      "state": f[4], "reason": f[5]}
            with self.cond:
                self.rows, self.taken, self.gen = rows, t, self.gen + 1
                self.cond.notify_all()
            time.sleep(POLL)

    def wait_next(self, gen, timeout=5):
        with self.cond:
            self.cond.wait_for(lambda: self.gen > gen, timeout=timeout)
            return self.gen, self.taken, dict(self.rows)


POLLER = Poller()
GROUP_LOCKS = {}                 # cases.json "group": cases of one group run one after another
GROUP_LOCKS_LOCK = threading.Lock()


def group_lock(name):
    with GROUP_LOCKS_LOCK:
        return GROUP_LOCKS.setdefault(name, threading.Lock())
ALL_IDS = set()
ALL_LOCK = threading.Lock()


# ---------------------------------------------------------------- normalisation
def sub_id(s, old, new):
    return re.sub(r"(?<![0-9])%s(?![0-9])" % re.escape(str(old)), new, s) if old else s


def norm_value(s, idmap, wd):
    s = s.replace(wd, "{WORKDIR}")
    for old, new in idmap:
        s = sub_id(s, old, new)
    s = TIME_RE.sub("{TIME}", s)
    return re.sub(r"epoch=[0-9]+", "epoch={EPOCH}", s)


def norm_line(line, idmap, wd):
    k, eq, v = line.partition("=")
    if eq and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k):
        if k == "SLURM_ARRAY_JOB_ID":
            return k + "={ARRAY_JOB_ID}"
        if k in VOLATILE:
            return k + "={VOLATILE}"
        if k == "SLURM_SUBMIT_HOST":
            return k + "={SUBMIT_HOST}"
    return norm_value(line, idmap, wd)


# ---------------------------------------------------------------- one case
class Case:
    def __init__(self, case, source):
        self.case, self.source = case, source
        self.name = case["name"]
        self.wd = os.path.join(BASE, self.name)
        self.t0 = None
        self.subs = []            # submissions
        self.states = {}          # squeue key -> [[t, state, reason], ...]
        self.actions = []
        self.timed_out = False

    def log(self, msg):
        print("[%6.1fs] %-20s %s" % (time.time() - self.t0 if self.t0 else 0, self.name, msg), flush=True)

    def prepare(self):
        if os.path.isdir(self.wd):
            shutil.rmtree(self.wd)
        os.makedirs(self.wd)
        for d in self.case.get("mkdir", []):
            os.makedirs(os.path.join(self.wd, d))
        self.copied = []
        for s in [self.case["script"]] + ([self.case["parent"]["script"]] if "parent" in self.case else []):
            if s not in self.copied:
                shutil.copy(os.path.join(SCRIPTS, s), os.path.join(self.wd, s))
                self.copied.append(s)

    def submit(self, label, script, args):
        env = dict(CLEAN_ENV)
        env.update(self.case.get("env", {}))
        argv = ["sbatch", "--parsable"] + args + [script]
        t = time.time()
        if self.t0 is None:
            self.t0 = t
        rc, out, err = run(argv, cwd=self.wd, env=env)
        m = re.match(r"\s*([0-9]+)", out)
        job_id = int(m.group(1)) if rc == 0 and m else None
        sub = {"label": label, "argv": argv, "t": stamp(t - self.t0), "sbatchSeconds": stamp(time.time() - t),
               "exit": rc, "stdout": out, "stderr": err, "jobId": job_id}
        self.subs.append(sub)
        if job_id is None:
            raise RuntimeError("sbatch failed: %s: %s" % (argv, err.strip()))
        with ALL_LOCK:
            ALL_IDS.add(job_id)
        POLLER.watch(job_id)
        self.log("submitted %s=%d" % (label, job_id))
        return sub

    def main_rows(self, rows, job_id):
        return [r for r in rows.values() if r["jobId"] == str(job_id) or r["arrayJobId"] == str(job_id)]

    def do_action(self, job_id):
        a = self.case["action"]
        before, _ = scontrol_lines(job_id)
        argv = {"scancel": ["scancel", str(job_id)],
                "requeue": ["scontrol", "requeue", str(job_id)]}[a["do"]]
        t = time.time()
        rc, out, err = run(argv)
        self.actions.append({"t": stamp(t - self.t0), "argv": argv, "exit": rc, "stdout": out, "stderr": err,
                             "scontrolBefore": before})
        self.log("action %s -> rc=%d %s" % (" ".join(argv), rc, err.strip()))

    def watch_until_final(self, ids, deadline):
        """Poll until every record of ids is final. Runs the case's action on the main job."""
        action = self.case.get("action")
        main = [s for s in self.subs if s["label"] == "JOBID"][0]["jobId"]
        trigger_at = None
        gen = 0
        submitted_at = time.time()
        while True:
            gen, taken, rows = POLLER.wait_next(gen)
            mine = [r for r in rows.values() if r["jobId"] in ids or r["arrayJobId"] in ids]
            for r in mine:
                hist = self.states.setdefault(r["key"], [])
                if not hist or hist[-1][1:] != [r["state"], r["reason"]]:
                    hist.append([stamp(taken - self.t0), r["state"], r["reason"]])
            if action and not self.actions and trigger_at is None:
                cond = action["when"]
                for r in self.main_rows(rows, main):
                    if (cond == r["state"]) or (cond.startswith("reason:") and r["reason"] == cond[7:]):
                        trigger_at = time.time() + action.get("delay", 0)
                        self.log("%s seen; action in %ss" % (cond, action.get("delay", 0)))
            if trigger_at is not None and not self.actions and time.time() >= trigger_at:
                self.do_action(main)
                continue
            # every submitted id must be visible (the snapshot may predate the submit)
            seen = {r["jobId"] for r in mine} | {r["arrayJobId"] for r in mine}
            if taken > submitted_at and all(i in seen for i in ids) and mine and \
                    all(r["state"] in FINAL_STATES for r in mine):
                return
            if time.time() > deadline:
                if self.timed_out:
                    self.log("still not final 60 s after scancel; giving up")
                    return
                self.timed_out = True
                self.log("TIMEOUT: cancelling %s" % sorted(ids))
                run(["scancel"] + sorted(ids))
                deadline = time.time() + 60

    def execute(self):
        if self.case.get("group"):
            with group_lock(self.case["group"]):
                return self._execute()
        return self._execute()

    def _execute(self):
        c = self.case
        self.prepare()
        deadline = time.time() + c.get("timeout", DEFAULT_TIMEOUT)
        parent = None
        if "parent" in c:
            parent = self.submit("PARENT_JOBID", c["parent"]["script"], c["parent"].get("args", []))
        args = [a.replace("{PARENT}", str(parent["jobId"])) if parent else a for a in c.get("args", [])]
        self.submit("JOBID", c["script"], args)
        for n in range(2, c.get("repeat", 1) + 1):
            self.watch_until_final({str(s["jobId"]) for s in self.subs}, deadline)
            self.submit("JOBID_%d" % n, c["script"], args)
        self.watch_until_final({str(s["jobId"]) for s in self.subs}, deadline)
        time.sleep(1.0)           # let slurmstepd/slurmctld finish writing files and jobcomp
        self.collect()
        POLLER.unwatch(s["jobId"] for s in self.subs)

    # ------------------------------------------------------------ results
    def collect(self):
        lines = []
        for s in self.subs:
            l, err = scontrol_lines(s["jobId"])
            lines += l
            if err:
                lines.append("<scontrol error: %s>" % err.strip())
        self.scontrol = lines
        recs = [parse_scontrol(l) for l in lines if l.startswith("JobId=")]
        recs.sort(key=lambda d: (int(d.get("ArrayJobId") or d["JobId"]),
                                 int(d["ArrayTaskId"]) if d.get("ArrayTaskId", "").isdigit() else -1,
                                 int(d["JobId"])))
        self.recs = recs
        self.job_ids = sorted({int(d["JobId"]) for d in recs} | {s["jobId"] for s in self.subs})
        label = {str(s["jobId"]): s["label"] for s in self.subs}
        array_ids = {d["ArrayJobId"] for d in recs if d.get("ArrayJobId")}
        # global placeholders: submissions by label, array tasks by task id
        gmap = []
        for d in recs:
            if d.get("ArrayJobId"):
                gmap.append((d["JobId"], "{JOBID_TASK_%s}" % d.get("ArrayTaskId")))
            else:
                gmap.append((d["JobId"], "{%s}" % label.get(d["JobId"], "JOBID")))
        gmap += [(a, "{ARRAY_JOB_ID}") for a in array_ids]
        for s in self.subs:
            if str(s["jobId"]) not in {k for k, _ in gmap}:
                gmap.append((str(s["jobId"]), "{%s}" % s["label"]))
        self.gmap = gmap

        # sacct --completion (jobcomp/filetxt); wait <= 5 s for a row per record
        ids = {str(i) for i in self.job_ids}
        fields = "JobID,JobName,Partition,State,ExitCode,DerivedExitCode,NodeList,NNodes,NCPUS,Timelimit,Start,End,Elapsed,WorkDir"
        for _ in range(10):
            rc, out, err = run(["sacct", "--completion", "-P", "-o", fields])
            rows = [l for l in out.splitlines()[1:] if l.split("|")[0] in ids]
            if {r.split("|")[0] for r in rows} >= {d["JobId"] for d in recs}:
                break
            time.sleep(0.5)
        self.sacct = {"argv": ["sacct", "--completion", "-P", "-o", fields],
                      "header": out.splitlines()[0] if out else "", "rows": rows}
        self.jobcomp = []
        loc = None
        for l in open(SLURM_CONF):
            m = re.match(r"\s*JobCompLoc\s*=\s*(\S+)", l)
            if m:
                loc = m.group(1)
        if loc and os.path.exists(loc):
            with open(loc, errors="replace") as f:
                for l in f:
                    m = re.match(r"JobId=([0-9]+) ", l)
                    if m and m.group(1) in ids:
                        self.jobcomp.append(l.rstrip("\n"))

        # what the daemons logged about these jobs (launch failures, signals, kills)
        self.logs = {}
        idre = re.compile(r"(?:JobId=|[Jj]ob |\[|\(|StepId=)(?:%s)(?![0-9])" % "|".join(sorted(ids)))
        logdir = os.path.dirname(loc) if loc else "/var/log/slurm-oracle"
        hosts = sorted({h for d in recs for h in expand_hosts(d.get("NodeList", ""))})
        for name in ["slurmctld"] + ["slurmd-%s" % h for h in hosts]:
            path = os.path.join(logdir, name + ".log")
            try:
                with open(path, errors="replace") as f:
                    self.logs[name] = [l.rstrip("\n") for l in f if idre.search(l)]
            except OSError as e:
                self.logs[name] = ["<unreadable: %s>" % e]

        # files
        self.files = []
        for dirpath, dirnames, filenames in os.walk(self.wd):
            dirnames.sort()
            for fn in sorted(filenames):
                path = os.path.join(dirpath, fn)
                rel = os.path.relpath(path, self.wd)
                if rel in self.copied:
                    continue
                self.files.append(self.file_entry(path, rel))
        self.dirs = sorted(os.path.relpath(os.path.join(dp, d), self.wd)
                           for dp, dns, _ in os.walk(self.wd) for d in dns)

    def context(self, path, rel):
        """Records that wrote this file: by StdOut/StdErr path, else by job id in the name."""
        ctx = [d for d in self.recs if path in (d.get("StdOut"), d.get("StdErr"))]
        if not ctx:
            ctx = [d for d in self.recs if re.search(r"(?<![0-9])%s(?![0-9])" % d["JobId"], rel)]
            if len(ctx) > 1:
                ctx = [d for d in ctx if not d.get("ArrayJobId") or d["JobId"] != d["ArrayJobId"]] or ctx
        return ctx or self.recs

    def idmap_for(self, ctx):
        """Per-file placeholders, applied in order: this file's own record ids first
        (a single array task's own id is {JOBID}), then the other ids, the array id last."""
        own = {d["JobId"] for d in ctx}
        m = []
        if len(ctx) == 1 and ctx[0].get("ArrayJobId"):
            m.append((ctx[0]["JobId"], "{JOBID}"))
        m += [p for p in self.gmap if not (m and p[0] == m[0][0] and p[1] != "{ARRAY_JOB_ID}")]
        return sorted(m, key=lambda p: (p[1] == "{ARRAY_JOB_ID}", p[0] not in own))

    def file_entry(self, path, rel):
        with open(path, "rb") as f:
            raw = f.read()
        content = text(raw)
        ctx = self.context(path, rel)
        idmap = self.idmap_for(ctx)
        # names: the array id wins over a task's own id (%A patterns)
        name_map = sorted(idmap, key=lambda p: p[1] != "{ARRAY_JOB_ID}")
        lines = content.splitlines()
        env = [l for l in lines if ENV_RE.match(l)]
        e = {"name": rel,
             "nameNormalized": re.sub(r"(?<![A-Za-z0-9])%s(?![A-Za-z0-9])" % re.escape(HOST), "{HOSTNAME}",
                                      norm_value(rel, name_map, self.wd)),
             "records": [d["JobId"] for d in ctx],
             "placeholders": {new: int(old) for old, new in idmap},
             "size": len(raw),
             "content": content,
             "contentNormalized": "\n".join(norm_line(l, idmap, self.wd) for l in lines)
                                  + ("\n" if content.endswith("\n") else ""),
             "env": env,
             "envNormalized": [norm_line(l, idmap, self.wd) for l in env]}
        if "== user-env begin" in lines and "== user-env end" in lines:
            ue = lines[lines.index("== user-env begin") + 1:lines.index("== user-env end")]
            e["userEnv"] = ue
            e["userEnvNormalized"] = [norm_line(l, idmap, self.wd) for l in ue]
        return e

    def summary(self):
        keys = ("JobId", "ArrayJobId", "ArrayTaskId", "JobName", "JobState", "Reason", "ExitCode",
                "DerivedExitCode", "Restarts", "RunTime", "TimeLimit", "SubmitTime", "StartTime", "EndTime",
                "Partition", "NodeList", "BatchHost", "NumNodes", "NumCPUs", "NumTasks", "CPUs/Task", "TRES",
                "MinMemoryNode", "MinMemoryCPU", "TresPerNode", "TresPerJob", "Dependency",
                "WorkDir", "StdOut", "StdErr")
        out = []
        for d in self.recs:
            s = {k: d[k] for k in keys if k in d}
            try:
                st = datetime.datetime.fromisoformat(d["StartTime"])
                en = datetime.datetime.fromisoformat(d["EndTime"])
                sb = datetime.datetime.fromisoformat(d["SubmitTime"])
                s["queuedSeconds"] = (st - sb).total_seconds()
                s["ranSeconds"] = (en - st).total_seconds()
            except (KeyError, ValueError):
                pass
            out.append(s)
        return out

    def result(self):
        norm_states = {}
        for k, v in self.states.items():
            nk = k
            for old, new in sorted(self.gmap, key=lambda p: p[1] != "{ARRAY_JOB_ID}"):
                nk = sub_id(nk, old, new)
            norm_states[nk] = v
        return {
            "source": self.source,
            "case": self.case,
            "cwd": self.wd,
            "submitEnv": dict(CLEAN_ENV, **self.case.get("env", {})),
            "submissions": self.subs,
            "jobIds": self.job_ids,
            "placeholders": {new: int(old) for old, new in self.gmap},
            "states": norm_states,
            "actions": self.actions,
            "timedOut": bool(self.timed_out),
            "scontrol": self.scontrol,
            "final": self.summary(),
            "sacctCompletion": self.sacct,
            "jobcomp": self.jobcomp,
            "daemonLog": self.logs,
            "dirs": self.dirs,
            "files": self.files,
        }


def main(argv):
    skip_optional = "--skip-optional" in argv
    names = [a for a in argv if a != "--skip-optional"]
    with open(os.path.join(OUT, "cases.json")) as f:
        cases = json.load(f)
    seen = set()
    for c in cases:
        if c["name"] in seen:
            sys.exit("duplicate case name: " + c["name"])
        seen.add(c["name"])
    if names:
        unknown = set(names) - seen
        if unknown:
            sys.exit("unknown case(s): " + " ".join(sorted(unknown)))
        cases = [c for c in cases if c["name"] in names]
    else:
        if skip_optional:
            cases = [c for c in cases if not c.get("optional")]
        keep = {c["name"] + ".json" for c in cases}
        for fn in os.listdir(OUT):
            if fn.endswith(".json") and fn != "cases.json" and (fn in keep or not skip_optional):
                os.remove(os.path.join(OUT, fn))

    os.makedirs(BASE, exist_ok=True)
    version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "slurm-client"],
                             stdout=subprocess.PIPE, text=True).stdout.strip() or "unknown"
    rc, out, _ = run(["sbatch", "--version"])
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    acct = [l.split("=", 1)[1].strip() for l in open(SLURM_CONF) if l.startswith("AccountingStorageType=")]
    source = ("recorded from real Slurm %s (Debian slurm-wlm %s) by running the jobs on the oracle cluster "
              "(/work/shared/slurm-oracle, config %s, %s) with scripts/record-oracle-run.sh on %s"
              % (out.split()[-1] if rc == 0 else "?", version, SLURM_CONF, acct[0] if acct else "?", now))

    POLLER.start()
    objs = [Case(c, source) for c in cases]
    failures = []

    def worker(o):
        try:
            o.execute()
            with open(os.path.join(OUT, o.name + ".json"), "w") as f:
                json.dump(o.result(), f, indent=2, ensure_ascii=False)
                f.write("\n")
        except Exception as e:       # noqa: BLE001 - report and go on with the other cases
            import traceback
            traceback.print_exc()
            failures.append((o.name, repr(e)))

    threads = [threading.Thread(target=worker, args=(o,)) for o in objs]
    t0 = time.time()
    try:
        for t in threads:
            t.start()
            time.sleep(0.05)
        for t in threads:
            t.join()
    finally:
        # safety net: nothing we submitted may stay in the queue
        with ALL_LOCK:
            ids = sorted(ALL_IDS)
        if ids:
            rc, out, _ = run(["squeue", "-h", "-t", "PD,R,CG,S", "-j", ",".join(map(str, ids)), "-o", "%A"])
            left = sorted(set(out.split()))
            if left:
                print("cancelling leftovers: %s" % left)
                run(["scancel"] + left)
        POLLER.stopping = True

    print()
    for o in objs:
        if not hasattr(o, "recs"):
            continue
        st = ", ".join("%s %s %s" % (d["JobId"] + ("_" + d["ArrayTaskId"] if d.get("ArrayTaskId") else ""),
                                      d.get("JobState"), d.get("ExitCode")) for d in o.recs)
        print("%-20s %s%s" % (o.name, st, "  (TIMED OUT)" if o.timed_out else ""))
    print("recorded %d case(s) in %.0f s; %d job(s) submitted" % (len(objs) - len(failures), time.time() - t0, len(ALL_IDS)))
    if failures:
        for n, e in failures:
            print("FAILED %s: %s" % (n, e))
        sys.exit(1)


main(sys.argv[1:])
PY
