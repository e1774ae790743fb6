"""Gunicorn settings for the portal (``gunicorn -c gunicorn.conf.py portal.wsgi``).

Sized for one 2-core node; every value can be overridden from the environment (or on the
command line, which wins over this file).

Worker model: gthread, 4 processes x 4 threads, one listening socket per process (reuse_port).

Why, measured with ``bench/gunicorn_workers.py`` (16 people signed in at once, each reading
pages back to back over a keep-alive connection, PostgreSQL with 20,000 tickets, this 2-core
machine shared with other work; 3 interleaved rounds of 12 s each, pooled):

    candidate                  req/s  p50   p95   p99 ms  requests per worker process
    gthread 2x4 (before)         59   158   617  1775     53/47, 61/39, 53/47 %
    gthread 4x4                  39   191   897  2911     64/14/13/10 %, 49/18/17/15 %, …
    gthread 4x4 reuse_port       64   165   542   941     29/27/25/19 %, 30/30/24/16 %, …
    gthread 4x4 keepalive 0      65   145   554  1386     even
    sync 5 (no keep-alive)       32   365   703  2445     even

and in a quieter single round: 2x4 71 req/s, p95 458 ms; 4x4 reuse_port 111 req/s, p95 339 ms.

- A gthread worker accepts connections while it has room and keeps each keep-alive connection
  in its own poller for the connection's life. With one shared listening socket, whichever
  process is idle in accept() takes the next connections, so a few processes end up with most
  clients (64 % on one of four above; 14 of 16 on one of two in the issue) and their requests
  queue behind one GIL while other processes idle. More processes alone do not help (4x4 was
  worse than 2x4).
- ``reuse_port`` gives each process a listening socket of its own and the kernel spreads new
  connections over them evenly: the busiest process serves about 30 % of four, and the slow
  tail halves (p99 941 ms against 1,775 ms before).
- Closing every connection (keepalive 0) also spreads the load but costs a connection per
  request and a worse tail; sync workers cannot keep a connection alive at all and serve one
  request per process, which halved throughput.
- Four processes on two cores: while one process waits on PostgreSQL with the GIL released,
  another renders. Six processes gave nothing more than four and cost memory.
- Four threads a process, not two: a request gives the GIL up at each database round trip
  and, with other threads of its process busy, waits up to the switch interval to get it
  back, so fewer threads make a tighter tail when the connections are spread evenly (reads
  only, ``bench/gunicorn_workers.py --only "4x4 reuse,4x2 reuse" --rounds 3 --seconds 15``:
  4x4 107 req/s p95 299 ms, 4x2 105 req/s p95 232 ms). But the kernel spreads connections
  by a hash, not evenly, and two threads leave the clients of the busiest process queueing:
  under ``bench/load.py`` (writes too, from the same copied database) four runs of 4x2 gave
  p95 349, 360, 458 and 537 ms on ticket pages, two of 4x4 383 and 388 ms; 4x8 and 6x2 were
  no better.
- Sign-in is bound by the password hasher (PBKDF2, several hundred ms of CPU each): 16 at once
  on two cores take seconds whatever the worker model.
"""

import os
import sys
from pathlib import Path

# Gunicorn reads this file before it puts the project on the import path.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from lib.logs import logging_config


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


bind = [os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORTAL_PORT', '8000')}")]
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = _int("GUNICORN_WORKERS", 4)
threads = _int("GUNICORN_THREADS", 4)
keepalive = _int("GUNICORN_KEEPALIVE", 2)
reuse_port = os.environ.get("GUNICORN_REUSE_PORT", "1") == "1"
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Restart a worker now and then, so that a slow leak in a library cannot grow without bound;
# the jitter keeps the workers from restarting all at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 500)
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
# The portal's log lines (lib/logs.py): stamped in UTC by the formatter, so the access line
# carries no time of its own (gunicorn's would be in the worker's local zone, which Django
# sets to the vendor's once the app is loaded, and the master's in the machine's).
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
logconfig_dict = logging_config(os.environ.get("LOG_LEVEL", "INFO"))
# The proxy in front terminates TLS and sets X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
control_socket_disable = True
