"""gunicorn.conf.py: what each worker does to the garbage collector once it has loaded the app."""

import gc
import runpy
from pathlib import Path

import pytest

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


@pytest.fixture
def collector():
    """The process's collector as it was: thresholds, and nothing left frozen."""
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def test_a_worker_freezes_the_loaded_app_and_collects_the_young_generation_less_often(collector, monkeypatch):
    monkeypatch.delenv("GUNICORN_GC_GEN0", raising=False)
    conf = runpy.run_path(str(CONF))
    assert (conf["workers"], conf["threads"], conf["worker_class"]) == (conf["multiprocessing"].cpu_count() + 1, 1,
                                                                        "sync")  # fmt: skip
    gc.unfreeze()
    conf["post_worker_init"](worker=None)
    assert gc.get_threshold() == (10_000, 10, 10)
    assert gc.get_freeze_count() > 10_000  # Django and the apps, loaded by the test run, out of the collector's way


def test_gen0_zero_leaves_python_s_collector_alone(collector, monkeypatch):
    monkeypatch.setenv("GUNICORN_GC_GEN0", "0")
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    runpy.run_path(str(CONF))["post_worker_init"](worker=None)
    assert gc.get_threshold() == (700, 10, 10) and gc.get_freeze_count() == 0
