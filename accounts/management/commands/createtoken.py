from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import api_token_create


class Command(BaseCommand):
    help = "Tạo mã truy cập API cho một người dùng và in ra một lần (create an API token; printed once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="api")

    def handle(self, *args, username, name, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"Không có người dùng {username!r}")
        _, token = api_token_create(user=user, name=name)
        self.stdout.write(token)
