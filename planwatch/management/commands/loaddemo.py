"""`manage.py loaddemo`: the demo directory, accounts and plans (planwatch.demo).
Run by `make run`; safe to run again, existing data is kept."""
from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from planwatch import demo


class Command(BaseCommand):
    help = "Load the demo data (directory, accounts, plans); idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--seeds", type=Path, default=None,
            help="folder of seed .txt plans to import too (default: $PLANWATCH_SHARED/seeds, ../shared/seeds)",
        )
        parser.add_argument("--no-seeds", action="store_true", help="import only the demo plans")

    def handle(self, *args, seeds: Path | None, no_seeds: bool, **options):
        seeds_dir = None if no_seeds else (seeds or demo.shared_seeds_dir())
        result = demo.demo_load(data_dir=settings.DATA_DIR, seeds_dir=seeds_dir)
        out = self.stdout

        summary = ", ".join(f"{k}: {v}" for k, v in result.directory.items() if v) or "unchanged"
        out.write(f"Danh bạ mẫu / demo directory: {summary}")
        for name, plan, created in result.plans:
            state = "mới nhập / imported" if created else "đã có / already there"
            out.write(f"Kế hoạch / plan {plan.pk}: {name} ({plan.activities.count()} hoạt động; {state})")
        if result.banner_checks:
            out.write(f"Kiểm tra banner / banner checks stored: {result.banner_checks}"
                      " (trang thay thế trên 127.0.0.1 / stand-in pages on 127.0.0.1)")
        if result.seeds_dir is None and not no_seeds:
            out.write(f"Không có văn bản mẫu / no seed plans in {seeds_dir}")
        for name, why in result.skipped:
            out.write(self.style.WARNING(f"Bỏ qua / skipped {name}: {why}"))

        out.write("")
        out.write(self.style.WARNING(f"Tài khoản {demo.DEMO_LABEL}:"))
        width = max(len(spec.username) for spec, _ in result.users)
        for spec, created in result.users:
            note = "" if created else "  (đã có: giữ mật khẩu cũ / existing: password unchanged)"
            out.write(f"  {spec.username:<{width}}  {demo.DEMO_PASSWORD}  {spec.description}{note}")
