import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "lib"))


import pytest  # noqa: E402


@pytest.fixture(scope="module")
def broker():
    """A private RabbitMQ node for the test module (tests/lib/rabbitmq.py)."""
    from rabbitmq import RabbitMQ
    with RabbitMQ() as b:
        yield b
