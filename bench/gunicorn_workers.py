"""Which gunicorn worker model serves 16 concurrent keep-alive users best on a 2-core node.

Run: ``.venv/bin/python bench/gunicorn_workers.py [--seconds 20] [--rounds 3] [--only A,B]``.

It builds the PostgreSQL database ``wt_ops_gunicorn`` (migrate, demo data, ``seed_load``
tickets; reused on later runs unless ``--fresh``), then for each candidate configuration starts
gunicorn with ``gunicorn.conf.py`` plus that candidate's settings on a free port of 127.0.0.1,
signs 16 people in at once (engineers, a manager and customer contacts, each with a keep-alive
connection of their own) and lets them read pages back to back for ``--seconds``: the queue,
ticket lists, ticket pages and the home page. It prints, per candidate, requests per second,
p50/p95/p99 of page times, p95 of the 16 simultaneous sign-ins, errors, and how the requests
were spread over the worker processes (from the access log's process ids).

Only reads: the database is the same for every candidate. Writes under load are
``bench/load.py``'s business.
"""

import argparse
import os
import random
import re
import sys
import threading
import time
from collections import Counter
from pathlib import Path

# The project root, not bench/, leads the path: bench/queue.py would shadow the standard library.
_ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(_ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != _ROOT / "bench"]

from bench.cluster import (  # noqa: E402
    BIN,
    ROOT,
    Cluster,
    PortalClient,
    free_port,
    log,
    percentile,
    pg_url,
    port_open,
    wait_until,
)

DATABASE = "wt_ops_gunicorn"
USERS = [
    "l1@support.example",
    "l1@support.example",
    "l2@support.example",
    "l2@support.example",
    "l3@support.example",
    "l4@support.example",
    "manager@support.example",
    "manager@support.example",
    "alice@northwind.example",
    "bob@northwind.example",
    "nina@northwind.example",
    "carol@contoso.example",
    "dave@contoso.example",
    "erin@fabrikam.example",
    "tom@fabrikam.example",
    "fred@northwind.example",
]
# (name, environment for gunicorn.conf.py). The first was the Procfile's set-up at first, 4x4
# reuse_port later; "sync 5" is gunicorn.conf.py's default now.
CANDIDATES = [
    ("gthread 2x4 (before)", {"GUNICORN_WORKER_CLASS": "gthread", "GUNICORN_WORKERS": "2", "GUNICORN_THREADS": "4", "GUNICORN_REUSE_PORT": "0"}),
    ("gthread 2x4 reuse_port", {"GUNICORN_WORKER_CLASS": "gthread", "GUNICORN_WORKERS": "2", "GUNICORN_THREADS": "4", "GUNICORN_REUSE_PORT": "1"}),
    ("gthread 4x4", {"GUNICORN_WORKER_CLASS": "gthread", "GUNICORN_WORKERS": "4", "GUNICORN_THREADS": "4", "GUNICORN_REUSE_PORT": "0"}),
    ("gthread 4x4 reuse_port", {"GUNICORN_WORKER_CLASS": "gthread", "GUNICORN_WORKERS": "4", "GUNICORN_THREADS": "4", "GUNICORN_REUSE_PORT": "1"}),
    ("gthread 3x4 reuse_port", {"GUNICORN_WORKER_CLASS": "gthread", "GUNICORN_WORKERS": "3", "GUNICORN_THREADS": "4", "GUNICORN_REUSE_PORT": "1"}),
    ("gthread 4x2 reuse_port", {"GUNICORN_WORKER_CLASS": "gthread", "GUNICORN_WORKERS": "4", "GUNICORN_THREADS": "2", "GUNICORN_REUSE_PORT": "1"}),
    ("gthread 6x4 reuse_port", {"GUNICORN_WORKER_CLASS": "gthread", "GUNICORN_WORKERS": "6", "GUNICORN_THREADS": "4", "GUNICORN_REUSE_PORT": "1"}),
    ("gthread 4x4 keepalive 0", {"GUNICORN_WORKER_CLASS": "gthread", "GUNICORN_WORKERS": "4", "GUNICORN_THREADS": "4", "GUNICORN_REUSE_PORT": "0", "GUNICORN_KEEPALIVE": "0"}),
    ("sync 5 (default)", {"GUNICORN_WORKER_CLASS": "sync", "GUNICORN_WORKERS": "5", "GUNICORN_THREADS": "1", "GUNICORN_REUSE_PORT": "0"}),
    ("sync 5 reuse_port", {"GUNICORN_WORKER_CLASS": "sync", "GUNICORN_WORKERS": "5", "GUNICORN_THREADS": "1", "GUNICORN_REUSE_PORT": "1"}),
]  # fmt: skip


def prepare(fresh: bool, tickets: int) -> Cluster:
    cluster = Cluster(
        name="gunicorn",
        database_url=pg_url(DATABASE),
        broker_url="",
        queue="wt-ops-gunicorn",
        email_url="dummymail://",
        extra={"LOG_LEVEL": "WARNING", "OUTBOX_DELIVER_ON_COMMIT": "off"},
    )
    import psycopg

    from bench.cluster import PG_ADMIN_URL, recreate_pg_database

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
    if fresh or not exists:
        recreate_pg_database(DATABASE)
        log(f"Loading demo data and {tickets} tickets into {DATABASE}")
        cluster.prepare()
        cluster.manage("seed_load", "--tickets", str(tickets))
    else:
        cluster.manage("migrate", "--noinput", "--verbosity", "0")
        cluster.manage("collectstatic", "--noinput", "--verbosity", "0")
    return cluster


def pages_for(cluster: Cluster) -> dict[str, list[str]]:
    """Paths each person reads: their lists and some ticket pages they may open."""
    cluster.setup_django()
    from tenants.models import User
    from tickets.models import Ticket

    pages = {}
    for email in set(USERS):
        user = User.objects.get(email=email)
        if user.organisation_id:
            ids = Ticket.objects.filter(organisation_id=user.organisation_id)
            lists = ["/", "/tickets/"]
        else:
            ids = Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES)
            if user.support_level:
                ids = ids.filter(level=user.support_level)
            lists = ["/", "/queue/", "/tickets/"]
        tickets = list(ids.order_by("-pk").values_list("pk", flat=True)[:40])
        pages[email] = lists + [f"/tickets/{pk}/" for pk in tickets]
    return pages


def run(port: int, pages: dict[str, list[str]], seconds: float) -> dict:
    sign_ins, times, errors = [], [], Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(len(USERS))
    stop_at = []

    def person(email: str, seed: int) -> None:
        rng = random.Random(seed)
        client = PortalClient(port)
        try:
            barrier.wait(timeout=30)
            started = time.perf_counter()
            client.sign_in(email)
            with lock:
                sign_ins.append(time.perf_counter() - started)
                if not stop_at:
                    stop_at.append(time.monotonic() + seconds)
            while time.monotonic() < stop_at[0]:
                path = rng.choice(pages[email])
                started = time.perf_counter()
                status, _, _ = client.get(path)
                elapsed = time.perf_counter() - started
                with lock:
                    if status == 200:
                        times.append(elapsed)
                    else:
                        errors[status] += 1
        except Exception as exc:  # counted, so that a broken run is visible in its figures
            with lock:
                errors[type(exc).__name__] += 1
        finally:
            client.close()

    threads = [threading.Thread(target=person, args=(e, n)) for n, e in enumerate(USERS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    wall = time.monotonic() - started
    return {"sign_ins": sign_ins, "times": times, "errors": errors, "wall": wall}


def spread(access_log: Path) -> str:
    """Requests per worker process, busiest first, as shares of all requests."""
    pids = Counter(re.findall(r"^pid=<?(\d+)>? ", access_log.read_text(), re.M))
    total = sum(pids.values()) or 1
    return " / ".join(f"{100 * n / total:.0f}%" for _, n in pids.most_common())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--tickets", type=int, default=20000)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--only", help="comma-separated parts of names: run only the candidates that match one"
    )
    args = parser.parse_args()

    cluster = prepare(args.fresh, args.tickets)
    pages = pages_for(cluster)
    chosen = [
        (name, settings)
        for name, settings in CANDIDATES
        if not args.only or any(part in name for part in args.only.split(","))
    ]
    pooled: dict[str, dict] = {
        name: {"times": [], "sign_ins": [], "errors": Counter(), "spreads": []}
        for name, _ in chosen
    }
    # Candidates take turns, round after round, so that other work on the machine falls on
    # all of them alike; the figures pool every round.
    for round_number in range(1, args.rounds + 1):
        for name, settings in chosen:
            result, share = measure(cluster, pages, settings, args.seconds)
            log(f"round {round_number}: {row(name, result, share, args.seconds)}")
            pooled[name]["times"] += result["times"]
            pooled[name]["sign_ins"] += result["sign_ins"]
            pooled[name]["errors"] += result["errors"]
            pooled[name]["spreads"].append(share)
            time.sleep(2)
    print(
        f"\n{len(USERS)} users, {args.rounds} rounds of {args.seconds:.0f} s per candidate, "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    for name, _ in chosen:
        p = pooled[name]
        result = {"times": p["times"], "sign_ins": p["sign_ins"], "errors": p["errors"]}
        print(row(name, result, " | ".join(p["spreads"]), args.seconds * args.rounds))


def measure(cluster: Cluster, pages, settings: dict, seconds: float) -> tuple[dict, str]:
    port = free_port()
    access_log = cluster.run_dir / f"access-{port}.log"
    cluster.extra.update(settings)
    cluster.extra.update(GUNICORN_ACCESSLOG=str(access_log))
    argv = [str(BIN / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py")]
    argv += ["--bind", f"127.0.0.1:{port}", "--access-logformat", "pid=%(p)s %(s)s %(M)s"]
    argv += ["--log-level", "warning", "portal.wsgi"]
    cluster.processes.start(f"web-{port}", argv, cluster.env)
    try:
        wait_until(lambda: port_open(port), 30, what="gunicorn listening")
        warm = PortalClient(port)
        for _ in range(20):
            warm.get("/accounts/login/")
        warm.close()
        time.sleep(1)
        access_log.write_text("")
        result = run(port, pages, seconds)
    finally:
        cluster.processes.stop(f"web-{port}")
        for key in settings:
            cluster.extra.pop(key, None)
    return result, spread(access_log)


def row(name: str, result: dict, share: str, seconds: float) -> str:
    times = result["times"]
    return (
        f"{name:<26} {len(times) / seconds:6.0f} req/s  "
        f"p50 {1000 * percentile(times, 0.5):4.0f}  p95 {1000 * percentile(times, 0.95):4.0f}  "
        f"p99 {1000 * percentile(times, 0.99):4.0f} ms  "
        f"sign-in p95 {1000 * percentile(result['sign_ins'], 0.95):5.0f} ms  "
        f"errors {dict(result['errors']) or 0}  spread {share}"
    )


if __name__ == "__main__":
    main()
