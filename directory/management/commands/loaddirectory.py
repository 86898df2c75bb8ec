"""manage.py loaddirectory: load the demo directory (idempotent)."""
from django.core.management.base import BaseCommand

from directory.services import directory_load_demo


class Command(BaseCommand):
    help = "Nạp danh bạ đơn vị mẫu (Đắk Nông, Đắk Lắk, Kon Tum và các tỉnh sau sáp nhập); chạy lại không thay đổi gì."

    def handle(self, *args, **options):
        counts = directory_load_demo()
        for key in sorted(counts):
            self.stdout.write(f"{key}: {counts[key]}")
