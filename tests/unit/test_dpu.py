import pytest
from glueguard import dpu


@pytest.mark.parametrize(
    ("worker_type", "workers", "expected"),
    [("G.1X", 10, 10), ("G.2X", 10, 20), ("G.025X", 4, 1), ("G.8X", 2, 16), ("Z.2X", 3, 6), ("R.4X", 2, 8)],
)
def test_workers_times_dpu_per_worker(worker_type, workers, expected):
    assert dpu.capacity(worker_type, workers, None) == expected


def test_max_capacity_and_command_defaults():
    assert dpu.capacity(None, None, 7.5) == 7.5
    assert dpu.capacity(None, None, None, "pythonshell") == 0.0625
    assert dpu.capacity(None, None, None, "glueetl") == 10
    assert dpu.job_capacity({"Command": {"Name": "pythonshell"}, "MaxCapacity": 1.0}) == 1.0
    assert dpu.job_capacity({"WorkerType": "G.2X", "NumberOfWorkers": 5, "MaxCapacity": 10.0}) == 10.0


def test_unknown_worker_type_is_a_clear_error():
    with pytest.raises(dpu.UnknownWorkerType, match=r"G\.99X"):
        dpu.capacity("G.99X", 2, None)


def test_caps_and_cost():
    assert dpu.max_workers_within("G.2X", 100) == 50
    assert dpu.max_workers_within("G.8X", 100) == 12
    assert dpu.cost_usd(dpu.dpu_hours(6, 900)) == 0.66  # FACTS.md: 6 DPU x 0.25 h = $0.66
