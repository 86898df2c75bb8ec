"""The monitoring app is installed and routed."""
from django.apps import apps


def test_app_installed():
    assert apps.is_installed("monitoring")
