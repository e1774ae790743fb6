"""Gunicorn settings for the portal (``gunicorn -c gunicorn.conf.py portal.wsgi``).

Sized for one 2-core node behind a load balancer or proxy that terminates TLS and buffers
requests and responses; every value can be overridden from the environment (or on the command
line, which wins over this file).

Worker model: sync, 4 processes sharing one listening socket, one request per connection.

Why: the portal's requests are CPU-bound (templates, query compilation; the database answers in
a millisecond or two), so latency under load is decided by how requests queue for the two cores.
A sync process takes a connection only when it is idle, so the next request always goes to a
free process: one queue in front of four servers. Measured with ``bench/load.py`` (16 people
writing and reading back to back on PostgreSQL with 100,000 tickets, the worker and beat on the
same machine), alternating in one hour:

    candidate                               req/s   p95 ms: my tickets, queue, ticket page
    sync 4, shared socket                   77.3, 82.6         256/249, 250/243, 273/270
    sync 5, shared socket                   75.7, 67.9         261/307, 251/290, 287/327
    sync 5, shared socket (earlier)         76.7, 76.1         259/264, 249/252, 283/287
    gthread 5x1, worker_connections 1       72.9, 73.8         272/347, 263/330, 300/349
    gthread 4x4, reuse_port (before)        74.4               390, 397, 462

(sync 6 gave 73.8/75.7/70.6 req/s, sync 8 67.2 and 66.0: more processes than the cores need
only add switching. Four suits a 2-core machine that also runs the database and the worker; a
web node of its own, whose processes wait on a database elsewhere, may take one or two more:
``GUNICORN_WORKERS``, measured with this script.)

- gthread keeps each keep-alive connection in the process that accepted it. With one shared
  socket a few processes collect most clients (14 of 16 on one of two, as first measured);
  with ``reuse_port`` the kernel hashes connections over per-process sockets, unevenly, and
  a process holding six clients serves them on one GIL while another holds two: the p95 was
  2.4 times the p50. Threads also wait up to the interpreter's switch interval to get the GIL
  back after each database round trip. Sync processes have neither problem: p95 is 1.35 to
  1.45 times the p50.
- No keep-alive between the proxy and gunicorn: a connection per request on a local network
  costs far less than the imbalance did.
- Sync workers need the buffering proxy in front (as gunicorn's documentation says): a slow
  client would otherwise hold a process for as long as it dawdles.
- A request that runs longer than ``timeout`` kills its process: the default leaves room for
  the slowest page a person may ask for (a CSV export of every ticket, about 50 s at 100,000
  tickets on this machine), and proxies commonly give up after 60 s.
- Sign-in is bound by the password hasher (PBKDF2, several hundred ms of CPU each): 16 at once
  on two cores take seconds whatever the worker model (3.2 to 3.7 s for the whole sign-in with
  its second factor under sync 4, 3.7 to 4.9 s under sync 5, 3.6 to 4.7 s with gthread 4x4).
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
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
workers = _int("GUNICORN_WORKERS", 4)
# More than one thread turns the sync worker into gthread (see above for why not).
threads = _int("GUNICORN_THREADS", 1)
keepalive = _int("GUNICORN_KEEPALIVE", 2)  # gthread only
# One socket shared by every process: an idle process takes the next connection.
reuse_port = os.environ.get("GUNICORN_REUSE_PORT", "0") == "1"
timeout = _int("GUNICORN_TIMEOUT", 90)
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
