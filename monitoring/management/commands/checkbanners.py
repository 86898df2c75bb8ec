"""manage.py checkbanners [--plan P] [--unit U] [--spec S]: one round of banner checks
now, with a progress bar (services.banners_check)."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from directory.models import Unit
from monitoring.models import BannerSpec
from monitoring.services import banners_check
from plans.models import Plan


class Command(BaseCommand):
    help = "Kiểm tra banner trên trang web của các đơn vị (một lượt)."

    def add_arguments(self, parser):
        parser.add_argument("--plan", type=int, help="id của kế hoạch")
        parser.add_argument("--unit", type=int, help="id của đơn vị")
        parser.add_argument("--spec", type=int, help="id của yêu cầu treo banner")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, plan=None, unit=None, spec=None, no_progress=False, **options):
        try:
            plan_obj = Plan.objects.get(pk=plan) if plan else None
            unit_obj = Unit.objects.get(pk=unit) if unit else None
            spec_obj = BannerSpec.objects.get(pk=spec) if spec else None
        except (Plan.DoesNotExist, Unit.DoesNotExist, BannerSpec.DoesNotExist) as exc:
            raise CommandError(str(exc)) from exc
        bar = tqdm(unit="trang", disable=no_progress, file=self.stderr._out)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            result = banners_check(spec=spec_obj, plan=plan_obj, unit=unit_obj, progress=progress, label="checkbanners")
        finally:
            bar.close()
        self.stdout.write(
            f"round {result.round_id}: {result.checked} checked, {result.present} present, "
            f"{result.absent} absent, {result.error} error in {result.seconds:.1f}s"
        )
