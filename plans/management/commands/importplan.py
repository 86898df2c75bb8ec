"""manage.py importplan FILE... --province CODE [--user USERNAME] [--no-confirm]

Imports plan documents in a batch. A file that cannot be imported does not stop the
batch: each is listed at the end with its reason, and the command then exits 1.
"""
from __future__ import annotations

import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from accounts.models import User
from directory.models import Province
from plans.models import Plan
from plans.services import PlanImportError, plan_import_file, plan_review_unresolved

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Nhập các tệp kế hoạch vào một tỉnh (import plan documents into a province). "
        "Với --no-confirm, tệp chỉ được đọc và chờ rà soát."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument("--province", required=True, metavar="CODE", help="mã tỉnh, ví dụ dak-nong")
        parser.add_argument("--user", metavar="USERNAME", help="người nhập (mặc định: hệ thống)")
        parser.add_argument("--no-confirm", action="store_true", help="chỉ đọc, để cán bộ rà soát rồi xác nhận")

    def handle(self, *args, files, province, user, no_confirm, **options):
        try:
            province_row = Province.objects.get(code=province)
        except Province.DoesNotExist:
            raise CommandError(f"Không có tỉnh mã {province!r}")
        user_row = None
        if user:
            try:
                user_row = User.objects.get(username=user)
            except User.DoesNotExist:
                raise CommandError(f"Không có người dùng {user!r}")

        started = timezone.now()
        failures: list[tuple[str, str]] = []
        for name in tqdm(files, desc="Nhập kế hoạch", unit="tệp"):
            path = Path(name)
            try:
                data = path.read_bytes()
                result = plan_import_file(
                    data=data, filename=path.name, province=province_row, user=user_row, confirm=not no_confirm
                )
            except OSError as exc:
                failures.append((name, f"không đọc được tệp ({exc.strerror or exc})"))
                continue
            except PlanImportError as exc:
                failures.append((name, exc.message))
                continue
            except Exception as exc:  # one broken file must not end the batch
                log.exception("importplan: %s", name)
                failures.append((name, f"lỗi không mong đợi ({type(exc).__name__}: {exc})"))
                continue
            self._report(name, result, started)

        if failures:
            self.stderr.write(f"Không nhập được {len(failures)}/{len(files)} tệp:")
            for name, reason in failures:
                self.stderr.write(f"  {name}: {reason}")
            raise CommandError(f"{len(failures)} tệp không nhập được.", returncode=1)

    def _report(self, name: str, result, started) -> None:
        with tqdm.external_write_mode():
            if isinstance(result, Plan):
                seen = " (đã có, không nhập lại)" if result.created_at < started else ""
                self.stdout.write(
                    f"{name}: kế hoạch #{result.pk} {result.number or '(không số)'}, "
                    f"{result.activities.count()} hoạt động{seen}"
                )
            else:
                self.stdout.write(
                    f"{name}: chờ rà soát ({result.pk}), {len(result.review['activities'])} hoạt động, "
                    f"{plan_review_unresolved(result.review)} đơn vị chưa xác định"
                )
