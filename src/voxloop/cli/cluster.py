"""`voxloop cluster up|down|status`: the multi-node topology of docs/operations.md, on loopback.

PostgreSQL (the machine's server, a scratch database, reached through a TCP proxy that can be
cut to simulate an outage), a Redis server of its own (append-only file, so queued jobs survive
a restart), web nodes (`voxloop serve --no-worker`), HAProxy in front of them (deploy/
haproxy.cfg), RQ workers (`voxloop worker`, each with the clock: the database row of each
periodic task makes every run start once, decision 0005). Every process logs to one folder.
`up` supervises: a process that dies is started again after a second (as systemd's
Restart=always would); Ctrl-C or `voxloop cluster down` stops everything.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import click

from voxloop.cli.base import fail

STATE = "cluster.json"
READY = "ready"
DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
STOP_SECONDS = 20.0


@dataclass
class Process:
    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    popen: subprocess.Popen | None = None
    restarts: int = 0
    started_at: float = 0.0
    died_at: float | None = None

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        out = self.log.open("ab")
        # A session of its own: Ctrl-C on the terminal reaches `up` only, which stops each
        # process in order; kill_tree finds the children (gunicorn, RQ's work horse).
        self.popen = subprocess.Popen(
            self.argv,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        out.close()
        self.started_at = time.time()
        self.died_at = None

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (from /proc), children first."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(pid: int, signum: int = signal.SIGKILL) -> None:
    """Signal a process and everything it started (a machine losing that node)."""
    for target in [pid, *descendants(pid)]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(target, signum)


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


@dataclass
class Topology:
    folder: Path
    web: int = 2
    workers: int = 3
    lb_port: int = 8080
    web_port: int = 8101
    redis_port: int = 6390
    pg_proxy_port: int = 6432
    pg_server: str = "postgres://postgres@127.0.0.1:5432"
    database: str = "vx_cluster"
    web_processes: int = 2
    web_threads: int = 4
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def logs(self) -> Path:
        return self.folder / "logs"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("VX_")}
        env.pop("DJANGO_SETTINGS_MODULE", None)
        pg_host = self.pg_server.rsplit("@", 1)[0]  # the credentials, without host and port
        env |= {
            "DATABASE_URL": f"{pg_host}@127.0.0.1:{self.pg_proxy_port}/{self.database}",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "VOXLOOP_HOME": str(self.folder / "home"),
            "VOXLOOP_BASE_URL": f"http://127.0.0.1:{self.lb_port}",
            "VOXLOOP_TRUST_X_FORWARDED_FOR": "true",
            "PYTHONUNBUFFERED": "1",
            "VOXLOOP_RQ_WORKER_CLASS": os.environ.get(
                "VOXLOOP_RQ_WORKER_CLASS", "rq.worker.SimpleWorker"
            ),
        }
        return env | self.extra_env

    def processes(self) -> list[Process]:
        env = self.env()
        voxloop = [sys.executable, "-m", "voxloop.cli"]
        redis_dir = self.folder / "redis"
        redis_dir.mkdir(parents=True, exist_ok=True)
        out = [
            Process(
                "redis",
                [
                    shutil.which("redis-server") or "redis-server",
                    "--port", str(self.redis_port),
                    "--bind", "127.0.0.1",
                    "--dir", str(redis_dir),
                    # RQ's queues survive a restart: every write goes to the append-only file,
                    # flushed each second (and fully on a clean shutdown).
                    "--appendonly", "yes",
                    "--appendfsync", "everysec",
                    "--save", "",
                ],
                env, self.logs / "redis.log", self.redis_port,
            ),
            Process(
                "pg-proxy",
                [
                    sys.executable, "-m", "voxloop.cli.tcp_proxy",
                    "--listen", f"127.0.0.1:{self.pg_proxy_port}",
                    "--target", _host_port(self.pg_server),
                ],
                env, self.logs / "pg-proxy.log", self.pg_proxy_port,
            ),
        ]  # fmt: skip
        for n in range(1, self.web + 1):
            port = self.web_port + n - 1
            argv = [
                *voxloop, "serve", "--no-worker", "--no-migrate", "--port", str(port),
                "--workers", str(self.web_processes), "--threads", str(self.web_threads),
            ]  # fmt: skip
            out.append(Process(f"web{n}", argv, env, self.logs / f"web{n}.log", port))
        for n in range(1, self.workers + 1):
            out.append(
                Process(f"worker{n}", [*voxloop, "worker"], env, self.logs / f"worker{n}.log")
            )
        lb_env = env | {
            "VX_LB_BIND": f"127.0.0.1:{self.lb_port}",
            "VX_HAPROXY_SOCKET": str(self.folder / "haproxy.sock"),
            "VX_HEALTH_HOST": "127.0.0.1",
        }
        for n in (1, 2):  # the config names two servers; a single node stands in for both
            lb_env[f"VX_WEB{n}"] = f"127.0.0.1:{self.web_port + min(n, self.web) - 1}"
        haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
        cfg = str(DEPLOY / "haproxy.cfg")
        out.append(Process("lb", [haproxy, "-db", "-f", cfg], lb_env, self.logs / "lb.log"))
        out[-1].port = self.lb_port
        return out


def _host_port(url: str) -> str:
    rest = url.split("://", 1)[-1].rsplit("@", 1)[-1]
    return rest.split("/", 1)[0] if ":" in rest else f"{rest.split('/', 1)[0]}:5432"


def ensure_database(topology: Topology) -> None:
    import psycopg

    with psycopg.connect(f"{topology.pg_server}/postgres", autocommit=True) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [topology.database]
        ).fetchone()
        if not found:
            conn.execute(f'CREATE DATABASE "{topology.database}"')


class Cluster:
    def __init__(self, topology: Topology) -> None:
        self.topology = topology
        self.processes = topology.processes()
        self.stopping = False

    def log(self, text: str) -> None:
        line = f"{time.strftime('%H:%M:%S')} {text}"
        click.echo(line, err=True)
        with (self.topology.logs / "cluster.log").open("a") as out:
            out.write(line + "\n")

    def write_state(self, ready: bool = False) -> None:
        state = {
            "pid": os.getpid(),
            "ready": ready,
            "lb_port": self.topology.lb_port,
            "env": {k: v for k, v in self.topology.env().items() if k in _SHOWN_ENV},
            "processes": {
                p.name: {
                    "pid": p.popen.pid if p.popen else None,
                    "port": p.port,
                    "log": str(p.log),
                    "restarts": p.restarts,
                    "started_at": p.started_at,
                }
                for p in self.processes
            },
        }
        path = self.topology.folder / STATE
        path.with_suffix(".tmp").write_text(json.dumps(state, indent=1))
        path.with_suffix(".tmp").replace(path)

    def by_name(self, name: str) -> Process:
        return next(p for p in self.processes if p.name == name)

    def up(self) -> int:
        self.topology.logs.mkdir(parents=True, exist_ok=True)
        previous = {s: signal.signal(s, self._on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            for name in ("redis", "pg-proxy"):
                self._start_and_wait(self.by_name(name))
            ensure_database(self.topology)
            self.log("applying migrations")
            migrate = subprocess.run(
                [sys.executable, "-m", "voxloop.cli", "init", "--no-admin"],
                env=self.topology.env(),
                stdout=(self.topology.logs / "init.log").open("ab"),
                stderr=subprocess.STDOUT,
            )
            if migrate.returncode:
                self.log(f"init failed; see {self.topology.logs / 'init.log'}")
                return 1
            for process in self.processes[2:]:
                if not self.stopping:
                    process.start()
            for process in self.processes[2:]:
                if process.port and not self.stopping:
                    self._wait_port(process)
            self._wait_balanced()
            self._wait_workers()
            self.write_state(ready=not self.stopping)
            self.log(f"cluster up: http://127.0.0.1:{self.topology.lb_port}/ (Ctrl-C to stop)")
            self._supervise()
            return 0
        finally:
            self._stop_all()
            (self.topology.folder / STATE).unlink(missing_ok=True)
            for signum, handler in previous.items():
                signal.signal(signum, handler)

    def _on_signal(self, signum: int, _frame: object) -> None:
        self.stopping = True

    def _start_and_wait(self, process: Process) -> None:
        process.start()
        self._wait_port(process)

    def _wait_port(self, process: Process, seconds: float = 300) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.stopping:
            if process.port and port_open(process.port):
                self.log(f"{process.name} ready on port {process.port}")
                return
            if not process.alive():
                break
            time.sleep(0.1)
        raise click.ClickException(f"{process.name} did not start; see {process.log}")

    def _wait_balanced(self, seconds: float = 300) -> None:
        """Until the balancer has a node in its pool (its health checks passed)."""
        import urllib.error
        import urllib.request

        url = f"http://127.0.0.1:{self.topology.lb_port}/livez"
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.stopping:
            try:
                with urllib.request.urlopen(url, timeout=5) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        raise click.ClickException("the balancer found no healthy web node; see the logs")

    def _wait_workers(self, seconds: float = 300) -> None:
        """Until every worker has registered with RQ, which it does once warm and its urgent
        lane listens (decision 0064): alerts sent before then wait for it."""
        url = self.topology.env()["REDIS_URL"]
        workers = [p for p in self.processes if p.name.startswith("worker")]
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.stopping:
            ready = registered_workers(url)
            if all(p.popen is not None and p.popen.pid in ready for p in workers):
                self.log(f"{len(workers)} workers registered, each with its urgent lane")
                return
            time.sleep(0.2)
        if not self.stopping:
            raise click.ClickException("the workers did not register; see their logs")

    def _supervise(self) -> None:
        while not self.stopping:
            for process in self.processes:
                if process.alive() or self.stopping:
                    continue
                now = time.time()
                if process.died_at is None:
                    code = process.popen.returncode if process.popen else None
                    self.log(f"{process.name} exited ({code}); starting it again in 1 s")
                    process.died_at = now
                elif now - process.died_at >= 1.0:
                    # Leftovers of a killed node (gunicorn's workers) would hold its port.
                    if process.popen is not None:
                        kill_tree(process.popen.pid)
                    process.restarts += 1
                    process.start()
                    self.log(f"{process.name} started again (pid {process.popen.pid})")  # type: ignore[union-attr]
                    self.write_state(ready=True)
            time.sleep(0.2)

    def _stop_all(self) -> None:
        # The balancer first (no new requests), then the nodes and workers, the stores last.
        order = [p for p in reversed(self.processes) if p.name not in ("redis", "pg-proxy")]
        order += [self.by_name("pg-proxy"), self.by_name("redis")]
        for group in (order[:-2], order[-2:]):
            for process in group:
                if process.alive():
                    process.popen.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
            deadline = time.monotonic() + STOP_SECONDS
            for process in group:
                if process.popen is None:
                    continue
                try:
                    process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    kill_tree(process.popen.pid)
                    process.popen.wait()
                kill_tree(process.popen.pid)  # whatever it left behind
        self.log("cluster stopped")


def registered_workers(redis_url: str) -> set[int]:
    """Process ids of the RQ workers registered at `redis_url` (their main loops, not the
    urgent lanes, which register first); none when Redis does not answer."""
    import redis

    try:
        client = redis.Redis.from_url(redis_url, socket_timeout=2)
        pids = set()
        for key in client.smembers("rq:workers"):
            pid, queues = client.hmget(key, "pid", "queues")
            if pid and queues and queues != b"urgent":
                pids.add(int(pid))
        return pids
    except (redis.RedisError, ValueError):  # away, or no URL
        return set()


_SHOWN_ENV = ("DATABASE_URL", "REDIS_URL", "VOXLOOP_HOME", "VOXLOOP_BASE_URL")


def read_state(folder: Path) -> dict | None:
    try:
        return json.loads((folder / STATE).read_text())
    except (OSError, ValueError):
        return None


def _pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _default_folder() -> Path:
    return Path(os.environ.get("VOXLOOP_CLUSTER_DIR", "var/cluster")).resolve()


folder_option = click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=_default_folder,
    show_default="var/cluster",
    help="Folder for logs, Redis's files, the shared VOXLOOP_HOME and the state file.",
)


@click.group()
def cluster() -> None:
    """Run the multi-node topology on this machine (load balancer, web nodes, workers)."""


@cluster.command()
@folder_option
@click.option("--web", default=2, show_default=True, type=click.IntRange(1, 2))
@click.option("--workers", default=3, show_default=True, type=click.IntRange(0, 16))
@click.option("--lb-port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option("--web-port", default=8101, show_default=True, type=click.IntRange(1, 65535))
@click.option("--redis-port", default=6390, show_default=True, type=click.IntRange(1, 65535))
@click.option("--pg-proxy-port", default=6432, show_default=True, type=click.IntRange(1, 65535))
@click.option("--pg-server", default="postgres://postgres@127.0.0.1:5432", show_default=True)
@click.option("--database", default="vx_cluster", show_default=True)
@click.option("--web-processes", default=2, show_default=True, type=click.IntRange(1, 16))
@click.option("--detach", is_flag=True, help="Start in the background; return once it is up.")
def up(folder: Path, detach: bool, **options: object) -> int:
    """Start everything and watch it; Ctrl-C stops everything."""
    folder = folder.resolve()
    state = read_state(folder)
    if state and _pid_alive(state.get("pid")):
        fail(f"a cluster already runs from {folder} (pid {state['pid']}); stop it with down")
    for needed in ("redis-server", "haproxy"):
        if not shutil.which(needed) and not Path(f"/usr/sbin/{needed}").exists():
            fail(f"{needed} is not installed (apt-get install {needed.split('-')[0]})")
    if detach:
        return _detach(folder, options)
    folder.mkdir(parents=True, exist_ok=True)
    topology = Topology(folder=folder, **options)  # type: ignore[arg-type]
    return Cluster(topology).up()


def _detach(folder: Path, options: dict[str, object]) -> int:
    argv = [sys.executable, "-m", "voxloop.cli", "cluster", "up", "--dir", str(folder)]
    for key, value in options.items():
        argv += [f"--{key.replace('_', '-')}", str(value)]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "logs").mkdir(exist_ok=True)
    with (folder / "logs" / "up.log").open("ab") as out:
        process = subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        state = read_state(folder)
        if state and state.get("ready"):
            click.echo(f"cluster up: http://127.0.0.1:{state['lb_port']}/ (pid {process.pid})")
            return 0
        if process.poll() is not None:
            fail(f"the cluster did not start; see {folder / 'logs'}")
        time.sleep(0.2)
    kill_tree(process.pid, signal.SIGTERM)
    fail(f"the cluster did not come up within 600 s; see {folder / 'logs'}")
    return 1


@cluster.command()
@folder_option
def down(folder: Path) -> None:
    """Stop a cluster started from this folder."""
    state = read_state(folder.resolve())
    if not state or not _pid_alive(state.get("pid")):
        fail(f"no cluster runs from {folder}")
    os.kill(state["pid"], signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS * 2 + 5
    while _pid_alive(state["pid"]) and time.monotonic() < deadline:
        time.sleep(0.2)
    if _pid_alive(state["pid"]):
        fail(f"the cluster (pid {state['pid']}) is still stopping; see {folder}/logs")
    click.echo("cluster stopped")


@cluster.command()
@folder_option
def status(folder: Path) -> None:
    """Each process: pid, whether it runs, its port, restarts."""
    state = read_state(folder.resolve())
    if not state or not _pid_alive(state.get("pid")):
        fail(f"no cluster runs from {folder}")
    click.echo(f"supervisor pid {state['pid']}; balancer http://127.0.0.1:{state['lb_port']}/")
    registered = registered_workers(state["env"].get("REDIS_URL", ""))
    for name, info in state["processes"].items():
        running = _pid_alive(info["pid"])
        listening = "" if not info["port"] else f" port {info['port']}"
        if info["port"]:
            listening += " open" if port_open(info["port"]) else " closed"
        if name.startswith("worker"):
            listening += " taking jobs" if info["pid"] in registered else " warming up"
        click.echo(
            f"  {name:10} pid {info['pid'] or '-':>7}  {'running' if running else 'STOPPED':8}"
            f"{listening}  restarts {info['restarts']}  log {info['log']}"
        )
    for key, value in state["env"].items():
        click.echo(f"  {key}={value}")
