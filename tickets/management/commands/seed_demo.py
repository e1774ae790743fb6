from django.core.management.base import BaseCommand

from availability.demo import seed_demo_availability
from lib.database import refresh_statistics
from onboarding.demo import seed_demo_onboarding
from tenants.demo import DEMO_PASSWORD, seed_demo
from tickets.demo import seed_demo_tickets


class Command(BaseCommand):
    help = "Create or refresh the demo organisations, tenants, logins and tickets (idempotent)."

    def handle(self, *args, **options):
        logins = seed_demo()
        created = seed_demo_tickets()
        self.stdout.write(self.style.SUCCESS("Demo data is ready. Sign in with any of these:"))
        width = max(len(login.email) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.email.ljust(width)}  {login.role}")
        self.stdout.write(f"Every demo password is: {DEMO_PASSWORD}")
        if created:
            self.stdout.write(f"{created} demo tickets were created.")
        seed_demo_availability()
        if seed_demo_onboarding():
            self.stdout.write(
                "Litware's onboarding is under way (sign in as lena@litware.example)."
            )
        refresh_statistics()
