"""`manage.py sendreminders [--dry-run]`: send the reminder emails due now, the same job
the hourly queue task runs (reporting.reminders.reminders_send)."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reporting.reminders import reminders_send


class Command(BaseCommand):
    help = "Gửi thư nhắc hạn báo cáo và nhiệm vụ tới cán bộ đơn vị (việc chạy mỗi giờ)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Chỉ đếm thư sẽ gửi; không gửi, không ghi lại.")

    def handle(self, *args, dry_run: bool = False, **options):
        result = reminders_send(dry_run=dry_run)
        if result.dry_run:
            self.stdout.write(f"Sẽ gửi {result.emails} thư ({result.reminders} lượt nhắc); chưa gửi gì.")
            return
        self.stdout.write(f"Đã gửi {result.emails} thư ({result.reminders} lượt nhắc).")
        if result.failed:
            # the reminders of these people were not recorded: the next run retries them
            raise CommandError(f"{result.failed} thư không gửi được; lần chạy sau sẽ gửi lại.", returncode=1)
