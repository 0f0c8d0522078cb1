"""Device requests resolve to a usable torch.device, or fail with a message that names the fix."""

import pytest
import torch

from graphtrace.examples import DeviceError, ExampleError, resolve_device


def test_auto_is_cuda_when_available_else_cpu():
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert resolve_device("auto").type == expected
    assert resolve_device(None).type == expected
    assert resolve_device(" AUTO ").type == expected


def test_cpu_forms():
    assert resolve_device("cpu") == torch.device("cpu")
    assert resolve_device(torch.device("cpu")) == torch.device("cpu")


def test_cuda_without_cuda_says_what_to_do(monkeypatch):
    # Pretend there is no GPU, so the message is checked on every machine.
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    for asked in ("cuda", "cuda:0", torch.device("cuda")):
        with pytest.raises(DeviceError, match=r"torch.cuda.is_available\(\) is False.*use device='cpu'"):
            resolve_device(asked)


def test_auto_without_cuda_is_the_cpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == torch.device("cpu")


def test_cuda_index_past_the_last_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    with pytest.raises(DeviceError, match="asks for CUDA device 3, but this machine has 1"):
        resolve_device("cuda:3")


def test_unknown_device_strings():
    with pytest.raises(DeviceError, match="torch does not know the device 'gpu'.*'cpu' or 'cuda'"):
        resolve_device("gpu")
    with pytest.raises(DeviceError, match="not on 'meta'"):
        resolve_device("meta")
    with pytest.raises(DeviceError, match="must be a string or a torch.device"):
        resolve_device(0.5)
    assert issubclass(DeviceError, ExampleError)
