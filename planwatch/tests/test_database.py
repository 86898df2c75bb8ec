"""The tests run on the database DATABASE_URL names: SQLite by default, PostgreSQL
under scripts/with-postgres.sh (the second half of `make test`)."""
import os

import pytest
from django.db import connection


@pytest.mark.django_db
def test_the_database_is_the_one_database_url_names():
    url = os.environ.get("DATABASE_URL", "")
    expected = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    assert connection.vendor == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


@pytest.mark.django_db
def test_vietnamese_text_round_trips():
    from directory.models import Province

    name = "Đắk Nông – Ủy ban nhân dân tỉnh"
    p = Province.objects.create(name=name, code="dak-nong-thu")
    assert Province.objects.get(pk=p.pk).name == name
