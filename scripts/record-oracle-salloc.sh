#!/usr/bin/env bash
# scripts/record-oracle-salloc.sh [case-name...]
#
# Record, from REAL Slurm 22.05 (the oracle in /work/shared/slurm-oracle), what
# `salloc` does: its lines on stderr, the command's output, exit codes, the
# allocation's environment, the job record it leaves (scontrol show job -o),
# waiting, -I, signals, scancel from outside, the time limit, bad options, and
# an interactive shell in a terminal (tmux), for every case of
# fixtures/oracle/salloc/cases.json (or only the named ones).  flow-slurm's
# salloc is tested against these recordings; see fixtures/oracle/salloc/README.md.
#
# Case kinds (cases.json "kind"):
#   direct  (default) run each "commands" entry as `bash -c <cmd>` in the fixed
#           work dir /tmp/flow-oracle/salloc/<name> (recreated empty) with a
#           clean environment and stdin /dev/null (or "stdin"), "repeat" times
#           (each run recorded: some of salloc's lines are racy); "holder": sbatch
#           args of a job submitted first and waited for until RUNNING
#           (cancelled after the command); "actions": [{"when": <regex on
#           stderr so far, default: at start>, "after": seconds, "do":
#           "scancel" | "signal", "signal": "INT"...}] (scancel: the command's
#           own jobs, found by WorkDir; signal: the salloc process itself).
#   tty     run "start" (salloc ...) inside a detached tmux session (120x40,
#           remain-on-exit) with the clean environment, TERM=screen and
#           HOME=<work dir>/home whose .bashrc only sets PS1='$ ', then each
#           "steps" entry: {"waitFor": <regex on the screen>, "send": <text,
#           typed + Enter> | "key": <tmux key, e.g. C-c> | "scancel": true |
#           "sleep": s}; the screen is captured after every step and at the end,
#           (with its scroll-back) with the pane's exit status.
# The jobs a command created are found by WorkDir (= the work dir) in
# `scontrol show job -o`.  Everything runs one case at a time except "parallel"
# cases (own thread).  A final sweep scancels anything of this run still queued.
# Run it under `flock /tmp/oracle.lock` (the oracle is shared).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ORACLE_DIR=${ORACLE_DIR:-/work/shared/slurm-oracle}
# shellcheck disable=SC1091
. "$ORACLE_DIR/env.sh"        # exports SLURM_CONF=/etc/slurm-oracle/slurm.conf

if ! env -i PATH=/usr/bin:/bin SLURM_CONF="$SLURM_CONF" sinfo -h >/dev/null 2>&1; then
  echo "record-oracle-salloc: the oracle Slurm does not answer (sinfo failed)." >&2
  exit 1
fi
command -v tmux >/dev/null || { echo "record-oracle-salloc: tmux is needed (apt-get install tmux)" >&2; exit 1; }

export ROOT SLURM_CONF
exec /usr/bin/python3 - "$@" <<'PY'
import datetime, json, os, re, shutil, signal, socket, subprocess, sys, threading, time

ROOT = os.environ["ROOT"]
SLURM_CONF = os.environ["SLURM_CONF"]
OUT = os.path.join(ROOT, "fixtures/oracle/salloc")
BASE = "/tmp/flow-oracle/salloc"
FINAL = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED", "BOOT_FAIL", "DEADLINE"}
HOST = socket.gethostname()
CLEAN_ENV = {"PATH": "/usr/bin:/bin", "HOME": "/root", "USER": "root", "SLURM_CONF": SLURM_CONF}
TMUX = ["tmux", "-L", "flow-salloc-rec"]
TIME_RE = re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\b")
ALL_IDS = set()


def text(b):
    return b.decode("utf-8", errors="backslashreplace")


def run(argv, cwd=BASE, env=None, timeout=60):
    p = subprocess.run(argv, cwd=cwd, env=env or CLEAN_ENV, timeout=timeout, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, text(p.stdout), text(p.stderr)


def stamp(t):
    return round(t, 2)


def parse_scontrol(line):
    parts = re.split(r" (?=[A-Za-z][A-Za-z0-9_/:]*=)", line.strip())
    return dict(p.partition("=")[::2] for p in parts)


def sub_id(s, old, new):
    return re.sub(r"(?<![0-9])%s(?![0-9])" % re.escape(str(old)), new, s)


def normalize(s, idmap, wd):
    """Work dir, ids, times, the host name, pids and ports -> placeholders."""
    s = s.replace(wd, "{WORKDIR}")
    s = re.sub(r"\b(SLURM_TASK_PID|SLURM_JOB_START_TIME|SLURM_JOB_END_TIME)=[0-9]*", r"\1={VOLATILE}", s)
    s = re.sub(r"\b(SLURM_SRUN_COMM_PORT|SLURM_STEP_LAUNCHER_PORT)=[0-9]*", r"\1={PORT}", s)
    s = re.sub(r"((?:AllocNode:Sid|SrunHost:Pid)=[^:\s]*:)[0-9]+", r"\1{VOLATILE}", s)
    s = re.sub(r"(?<![0-9.])(?:\d{1,3}\.){3}\d{1,3}(?![0-9.])", "{IPADDR}", s)
    s = TIME_RE.sub("{TIME}", s)
    for old, new in sorted(idmap, key=lambda m: -len(str(m[0]))):
        s = sub_id(s, old, new)
    return re.sub(r"(?<![A-Za-z0-9])%s(?![A-Za-z0-9])" % re.escape(HOST), "{HOSTNAME}", s)


class Case:
    def __init__(self, case, source):
        self.case, self.source, self.name = case, source, case["name"]
        self.wd = os.path.join(BASE, self.name)
        self.holders = []          # sbatch submissions
        self.labels = []           # (job id, label) in order of creation
        self.log_lines = []

    def log(self, msg):
        print("[%s] %s" % (self.name, msg), flush=True)

    def prepare(self):
        shutil.rmtree(self.wd, ignore_errors=True)
        os.makedirs(self.wd)

    def env(self, extra=None):
        return dict(CLEAN_ENV, **self.case.get("env", {}), **(extra or {}))

    def jobs_in_wd(self):
        rc, out, _ = run(["scontrol", "show", "job", "-o"])
        ids = []
        for l in out.splitlines():
            if l.startswith("JobId=") and (" WorkDir=%s " % self.wd) in l + " ":
                ids.append(int(parse_scontrol(l)["JobId"]))
        return sorted(ids)

    def state(self, job_id):
        rc, out, _ = run(["scontrol", "show", "job", "-o", str(job_id)])
        return parse_scontrol(out).get("JobState", "") if rc == 0 and out.strip() else "GONE"

    def wait_state(self, job_id, ok, timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            st = self.state(job_id)
            if ok(st):
                return st
            time.sleep(0.2)
        return None

    def holder(self, args):
        argv = ["sbatch", "--parsable", "-o", "/dev/null"] + args
        rc, out, err = run(argv, cwd=self.wd, env=self.env())
        if rc != 0:
            raise RuntimeError("holder sbatch failed: %s" % err)
        jid = int(out.strip().split(";")[0])
        ALL_IDS.add(jid)
        label = "HOLDER_JOBID" + ("_%d" % (len(self.holders) + 1) if self.holders else "")
        self.holders.append({"label": label, "argv": argv, "jobId": jid})
        self.labels.append((jid, "{%s}" % label))
        self.wait_state(jid, lambda s: s == "RUNNING")
        time.sleep(0.5)
        return jid

    def end_holder(self, jid):
        run(["scancel", str(jid)])
        self.wait_state(jid, lambda s: s in FINAL or s == "GONE")

    def own_jobs(self, known):
        return [j for j in self.jobs_in_wd() if j not in known]

    def name_new(self, new):
        made = [l for l in self.labels if not l[1].startswith("{HOLDER")]
        out = []
        for j in new:
            n = len(made) + len(out)
            lab = "{JOBID%s}" % ("_%d" % (n + 1) if n else "")
            out.append(lab)
            self.labels.append((j, lab))
            ALL_IDS.add(j)
        return out

    def job_records(self, ids):
        """Each job's final `scontrol show job -o` line (waits up to 60 s for the end)."""
        recs = []
        for j in ids:
            self.wait_state(j, lambda s: s in FINAL or s == "GONE", timeout=60)
            rc, out, _ = run(["scontrol", "show", "job", "-o", str(j)])
            line = out.strip()
            recs.append({"raw": line, "normalized": normalize(line, self.labels, self.wd)})
        return recs

    def execute(self):
        self.prepare()
        self.t0 = time.time()
        self._execute()


class Stream(threading.Thread):
    def __init__(self, f, t0, sink):
        super().__init__(daemon=True)
        self.f, self.t0, self.sink = f, t0, sink

    def run(self):
        for raw in iter(self.f.readline, b""):
            self.sink.append([stamp(time.time() - self.t0), raw])


class DirectCase(Case):
    def _execute(self):
        self.commands = []
        known = set(self.jobs_in_wd())
        for spec in self.case["commands"]:
            if isinstance(spec, str):
                spec = {"cmd": spec}
            entry = {"cmd": spec["cmd"], "runs": []}
            for rep in range(spec.get("repeat", 1)):
                hid = self.holder(spec["holder"]) if spec.get("holder") else None
                if hid:
                    known.add(hid)
                r = self.run_command(spec, known)
                if hid:
                    self.end_holder(hid)
                time.sleep(0.3)
                new = self.own_jobs(known)
                known.update(new)
                r["jobLabels"] = self.name_new(new)
                r["jobIds"] = new
                still = [j for j in new if self.state(j) not in FINAL]
                if still and spec.get("leftRunning"):
                    # salloc --no-shell: the allocation outlives salloc; record it, then end it
                    r["whileRunning"] = [self.snapshot(j) for j in still]
                    for j in still:
                        run(["scancel", str(j)])
                r["jobs"] = self.job_records(new)
                entry["runs"].append(r)
                self.log("%s: run %d exit=%s jobs=%s" % (spec["cmd"][:60], rep + 1, r["exit"], new))
            self.commands.append(entry)
        for e in self.commands:
            for r in e["runs"]:
                for k in ("stdout", "stderr"):
                    r[k + "Normalized"] = normalize(r[k], self.labels, self.wd)
                r["stderrTimeline"] = [[t, normalize(l, self.labels, self.wd)] for t, l in r.pop("_timeline")]
                for a in r["actions"]:
                    a["argvNormalized"] = [normalize(x, self.labels, self.wd) for x in a.get("argv", [])]
                if "whileRunning" in r:
                    for w in r["whileRunning"]:
                        w["normalized"] = normalize(w["raw"], self.labels, self.wd)

    def snapshot(self, j):
        rc, out, _ = run(["scontrol", "show", "job", "-o", str(j)])
        return {"raw": out.strip()}

    def run_command(self, spec, known):
        t = time.time()
        stdin = subprocess.PIPE if "stdin" in spec else subprocess.DEVNULL
        p = subprocess.Popen(["bash", "-c", spec["cmd"]], cwd=self.wd, env=self.env(spec.get("env")), stdin=stdin,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        if "stdin" in spec:
            p.stdin.write(spec["stdin"].encode())
            p.stdin.close()
        out, err = [], []
        readers = [Stream(p.stdout, t, out), Stream(p.stderr, t, err)]
        for r in readers:
            r.start()
        pending = [dict(a) for a in spec.get("actions", [])]
        done = []
        timeout = spec.get("timeout", 60)
        deadline, killed = t + timeout, None
        while p.poll() is None:
            now = time.time()
            so_far = "".join(text(b) for _, b in list(err))
            for a in list(pending):
                if "_at" not in a and (not a.get("when") or re.search(a["when"], so_far)):
                    a["_at"] = now + a.get("after", 0)
                if "_at" in a and now >= a["_at"]:
                    pending.remove(a)
                    done.append(self.act(a, p, t, known))
            if killed is None and now >= deadline:
                killed = "TERM"
                os.killpg(p.pid, signal.SIGTERM)
                deadline = now + 10
            elif killed == "TERM" and now >= deadline:
                killed = "KILL"
                os.killpg(p.pid, signal.SIGKILL)
            time.sleep(0.05)
        for r in readers:
            r.join(5)
        return {"exit": p.returncode, "seconds": stamp(time.time() - t), "killedBy": killed, "actions": done,
                "stdout": "".join(text(b) for _, b in out), "stderr": "".join(text(b) for _, b in err),
                "_timeline": [[tt, text(b).rstrip("\n")] for tt, b in err]}

    def act(self, a, p, t0, known):
        rec = {"t": stamp(time.time() - t0), "do": a["do"]}
        if a["do"] == "scancel":
            mine = [j for j in self.own_jobs(known) if self.state(j) not in FINAL]
            rec["argv"] = ["scancel"] + [str(j) for j in mine]
            if mine:
                rc, o, e = run(rec["argv"])
                rec.update({"exit": rc, "stdout": o, "stderr": e})
        elif a["do"] == "signal":
            try:
                with open("/proc/%d/comm" % p.pid) as f:
                    rec["process"] = f.read().strip()
            except OSError:
                rec["process"] = None
            rec["signal"] = a["signal"]
            os.kill(p.pid, getattr(signal, "SIG" + a["signal"]))
        self.log("action %s at %.2f s" % (a["do"], rec["t"]))
        return rec

    def result(self):
        return {"source": self.source, "case": self.case, "kind": "direct", "cwd": self.wd, "env": self.env(),
                "holders": self.holders, "placeholders": {lab: j for j, lab in self.labels}, "commands": self.commands}


class TtyCase(Case):
    def _execute(self):
        c = self.case
        home = os.path.join(self.wd, "home")
        os.makedirs(home)
        with open(os.path.join(home, ".bashrc"), "w") as f:
            f.write("PS1='$ '\n")
        conf = os.path.join(self.wd, "tmux.conf")
        with open(conf, "w") as f:
            f.write("set -g remain-on-exit on\nset -g status off\n")
        known = set(self.jobs_in_wd())
        hid = self.holder(c["holder"]) if c.get("holder") else None
        if hid:
            known.add(hid)
        env = self.env({"HOME": home, "TERM": "screen"})
        inner = "env -i %s %s" % (" ".join("%s=%s" % (k, v) for k, v in env.items()), c["start"])
        session = "rec-%s" % self.name
        subprocess.run(TMUX + ["kill-session", "-t", session], stderr=subprocess.DEVNULL)
        subprocess.run(TMUX + ["-f", conf, "new-session", "-d", "-s", session, "-x", "120", "-y", "40", "-c", self.wd, inner],
                       check=True)
        self.screens = []
        for step in c["steps"]:
            if "waitFor" in step:
                self.wait_screen(session, step["waitFor"], step.get("timeout", 30))
            if "send" in step:
                subprocess.run(TMUX + ["send-keys", "-t", session, "-l", step["send"]], check=True)
                subprocess.run(TMUX + ["send-keys", "-t", session, "Enter"], check=True)
            if "key" in step:
                subprocess.run(TMUX + ["send-keys", "-t", session, step["key"]], check=True)
            if step.get("scancel"):
                for j in self.own_jobs(known):
                    run(["scancel", str(j)])
            time.sleep(step.get("sleep", 1.0))
            self.screens.append({"step": step, "screen": self.capture(session)})
        end = time.time() + c.get("timeout", 30)
        dead = "0"
        while time.time() < end:
            dead, status = self.pane(session)
            if dead == "1":
                break
            time.sleep(0.2)
        self.final = self.capture(session)
        self.dead, self.status = self.pane(session)
        subprocess.run(TMUX + ["kill-session", "-t", session], stderr=subprocess.DEVNULL)
        if hid:
            self.end_holder(hid)
        time.sleep(0.3)
        new = self.own_jobs(known)
        self.name_new(new)
        self.jobs = self.job_records(new)

    def pane(self, session):
        r = subprocess.run(TMUX + ["display", "-p", "-t", session, "#{pane_dead} #{pane_dead_status}"],
                           stdout=subprocess.PIPE, text=True)
        f = (r.stdout.split() + ["", ""])[:2]
        return f[0], f[1]

    def capture(self, session):
        r = subprocess.run(TMUX + ["capture-pane", "-p", "-S", "-", "-t", session], stdout=subprocess.PIPE, text=True)
        # tmux's own "Pane is dead (status N, <date>)" line is not salloc's
        lines = [l for l in r.stdout.split("\n") if not l.startswith("Pane is dead")]
        while lines and lines[-1].strip() == "":
            lines.pop()
        return lines

    def wait_screen(self, session, pattern, timeout):
        end = time.time() + timeout
        while time.time() < end:
            if re.search(pattern, "\n".join(self.capture(session)), re.M):
                return
            time.sleep(0.2)
        self.log("WARNING: %r not seen on the screen" % pattern)

    def result(self):
        norm = lambda ls: [normalize(l, self.labels, self.wd) for l in ls]
        return {"source": self.source, "case": self.case, "kind": "tty", "cwd": self.wd,
                "env": self.env({"HOME": "{WORKDIR}/home", "TERM": "screen"}), "holders": self.holders,
                "placeholders": {lab: j for j, lab in self.labels},
                "screens": [{"step": s["step"], "screen": s["screen"], "screenNormalized": norm(s["screen"])} for s in self.screens],
                "final": self.final, "finalNormalized": norm(self.final),
                "paneDead": self.dead == "1", "exit": int(self.status) if self.status.lstrip("-").isdigit() else None,
                "jobs": self.jobs}


def main(names):
    with open(os.path.join(OUT, "cases.json")) as f:
        cases = json.load(f)
    seen = [c["name"] for c in cases]
    if len(set(seen)) != len(seen):
        sys.exit("duplicate case names")
    if names:
        unknown = set(names) - set(seen)
        if unknown:
            sys.exit("unknown case(s): " + " ".join(sorted(unknown)))
        cases = [c for c in cases if c["name"] in names]
    os.makedirs(BASE, exist_ok=True)
    version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "slurm-client"], stdout=subprocess.PIPE, text=True).stdout.strip()
    _, out, _ = run(["salloc", "--version"])
    tmux = subprocess.run(["tmux", "-V"], stdout=subprocess.PIPE, text=True).stdout.strip()
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    source = ("recorded from real Slurm %s (Debian slurm-wlm %s) on the oracle cluster (/work/shared/slurm-oracle, "
              "config %s, accounting_storage/none) with scripts/record-oracle-salloc.sh (%s) on %s"
              % (out.split()[-1] if out else "?", version or "?", SLURM_CONF, tmux, now))
    objs = [(TtyCase if c.get("kind") == "tty" else DirectCase)(c, source) for c in cases]
    failures = []

    def worker(o):
        try:
            o.execute()
            with open(os.path.join(OUT, o.name + ".json"), "w") as f:
                json.dump(o.result(), f, indent=2, ensure_ascii=False)
                f.write("\n")
        except Exception as e:  # noqa: BLE001 - report, go on with the other cases
            import traceback
            traceback.print_exc()
            failures.append((o.name, repr(e)))

    serial = [o for o in objs if not o.case.get("parallel")]
    threads = [threading.Thread(target=worker, args=(o,)) for o in objs if o.case.get("parallel")]
    threads.append(threading.Thread(target=lambda: [worker(o) for o in serial]))
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        if ALL_IDS:
            rc, out, _ = run(["squeue", "-h", "-t", "PD,R,CG,S", "-j", ",".join(map(str, sorted(ALL_IDS))), "-o", "%A"])
            left = sorted(set(out.split()))
            if left:
                print("cancelling leftovers: %s" % left)
                run(["scancel"] + left)
        subprocess.run(TMUX + ["kill-server"], stderr=subprocess.DEVNULL)
    print("recorded %d case(s); %d job(s)" % (len(objs) - len(failures), len(ALL_IDS)))
    for n, e in failures:
        print("FAILED %s: %s" % (n, e))
    sys.exit(1 if failures else 0)


main(sys.argv[1:])
PY
