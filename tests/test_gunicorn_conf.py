"""gunicorn.conf.py as gunicorn reads it: the worker model its measurements chose."""

import os
import runpy
from pathlib import Path

import pytest
from gunicorn.config import Config
from gunicorn.workers.gthread import ThreadWorker
from gunicorn.workers.sync import SyncWorker

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def _config(monkeypatch, **environment: str) -> Config:
    for name in list(os.environ):
        if name.startswith("GUNICORN_"):
            monkeypatch.delenv(name)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = runpy.run_path(str(CONF))
    config = Config()
    for name in config.settings:
        if name in settings:
            config.set(name, settings[name])
    return config


def test_by_default_idle_sync_processes_share_one_socket(monkeypatch):
    config = _config(monkeypatch)
    assert config.worker_class is SyncWorker  # one thread: gunicorn does not switch to gthread
    assert config.workers == 4
    assert config.reuse_port is False
    # Above the slowest page a person may ask for (a full CSV export).
    assert config.timeout >= 60


@pytest.mark.parametrize("threads", ["2", "4"])
def test_more_threads_turn_the_worker_into_gthread(monkeypatch, threads):
    config = _config(monkeypatch, GUNICORN_THREADS=threads)
    assert config.worker_class is ThreadWorker
